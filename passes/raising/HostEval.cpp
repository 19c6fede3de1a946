//===- HostEval.cpp - evaluates ONNX ops on host tensors ------------------===//

#include "passes/raising/HostEval.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

using namespace mlir;

namespace llmc::raising {
namespace {

using Shape = SmallVector<int64_t>;

struct EvalError {
  std::string why;
};

[[noreturn]] void fail(const std::string &why) { throw EvalError{why}; }

int64_t attrInt(DictionaryAttr attrs, StringRef name, int64_t fallback) {
  if (attrs)
    if (auto a = attrs.getAs<IntegerAttr>(name))
      return a.getInt();
  return fallback;
}

double attrFloat(DictionaryAttr attrs, StringRef name, double fallback) {
  if (attrs)
    if (auto a = attrs.getAs<FloatAttr>(name))
      return a.getValueAsDouble();
  return fallback;
}

SmallVector<int64_t> attrInts(DictionaryAttr attrs, StringRef name) {
  SmallVector<int64_t> out;
  if (attrs)
    if (auto a = attrs.getAs<ArrayAttr>(name))
      for (Attribute e : a)
        out.push_back(cast<IntegerAttr>(e).getInt());
  return out;
}

const HostTensor &need(ArrayRef<const HostTensor *> in, size_t k) {
  if (k >= in.size() || !in[k])
    fail("input " + std::to_string(k) + " is missing");
  return *in[k];
}

int64_t constInt(const HostTensor &t, int64_t k, StringRef what) {
  if (t.isFloat())
    return static_cast<int64_t>(t.f[k]);
  if (!t.i[k].isConstant())
    fail(what.str() + " depends on the sequence length (" + t.i[k].str() + ")");
  return t.i[k].c;
}

SmallVector<int64_t> constInts(const HostTensor &t, StringRef what) {
  SmallVector<int64_t> out;
  for (int64_t k = 0, n = t.size(); k < n; ++k)
    out.push_back(constInt(t, k, what));
  return out;
}

Shape strides(ArrayRef<int64_t> shape) {
  Shape s(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    s[d] = s[d + 1] * shape[d + 1];
  return s;
}

int64_t normAxis(int64_t axis, int64_t rank) {
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= std::max<int64_t>(rank, 1))
    fail("axis out of range");
  return axis;
}

/// A result tensor shaped like `shape`, of the kind of `like`.
HostTensor blank(Type elementType, ArrayRef<int64_t> shape, bool isFloat) {
  HostTensor t;
  t.kind = isFloat ? HostTensor::Kind::Float : HostTensor::Kind::Int;
  t.elementType = elementType;
  t.shape.assign(shape.begin(), shape.end());
  int64_t n = t.size();
  if (isFloat)
    t.f.assign(n, 0.0);
  else
    t.i.assign(n, Affine());
  return t;
}

/// Copies element `from` of `src` into element `to` of `dst`.
void copyElement(const HostTensor &src, int64_t from, HostTensor &dst,
                 int64_t to) {
  if (dst.isFloat())
    dst.f[to] = src.asDouble(from);
  else
    dst.i[to] = src.i[from];
}

/// Gathers `dst` from `src` by an index function over dst's coordinates.
HostTensor remap(const HostTensor &src, ArrayRef<int64_t> dstShape,
                 const std::function<int64_t(ArrayRef<int64_t>)> &srcIndex) {
  HostTensor dst = blank(src.elementType, dstShape, src.isFloat());
  Shape coord(dstShape.size(), 0);
  for (int64_t k = 0, n = dst.size(); k < n; ++k) {
    copyElement(src, srcIndex(coord), dst, k);
    for (int64_t d = static_cast<int64_t>(coord.size()) - 1; d >= 0; --d) {
      if (++coord[d] < dstShape[d])
        break;
      coord[d] = 0;
    }
  }
  return dst;
}

Shape broadcastShapes(ArrayRef<const HostTensor *> ts) {
  size_t rank = 0;
  for (auto *t : ts)
    rank = std::max(rank, t->shape.size());
  Shape out(rank, 1);
  for (auto *t : ts)
    for (size_t d = 0; d < t->shape.size(); ++d) {
      int64_t &o = out[rank - t->shape.size() + d];
      int64_t v = t->shape[d];
      if (o == 1)
        o = v;
      else if (v != 1 && v != o)
        fail("shapes do not broadcast");
    }
  return out;
}

/// Index into `t` for a coordinate of the broadcast shape.
int64_t broadcastIndex(const HostTensor &t, ArrayRef<int64_t> coord) {
  Shape st = strides(t.shape);
  int64_t offset = coord.size() - t.shape.size(), index = 0;
  for (size_t d = 0; d < t.shape.size(); ++d)
    if (t.shape[d] != 1)
      index += coord[offset + d] * st[d];
  return index;
}

template <typename Fn>
HostTensor elementwise(ArrayRef<const HostTensor *> ins, Type elementType,
                       bool isFloat, Fn fn) {
  Shape shape = broadcastShapes(ins);
  HostTensor out = blank(elementType, shape, isFloat);
  Shape coord(shape.size(), 0);
  SmallVector<int64_t> idx(ins.size());
  for (int64_t k = 0, n = out.size(); k < n; ++k) {
    for (size_t a = 0; a < ins.size(); ++a)
      idx[a] = broadcastIndex(*ins[a], coord);
    fn(out, k, idx);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++coord[d] < shape[d])
        break;
      coord[d] = 0;
    }
  }
  return out;
}

bool isFloatType(Type t) { return isa<FloatType>(t); }

HostTensor binaryArith(StringRef op, const HostTensor &a, const HostTensor &b,
                       Type resultType) {
  bool isFloat = isFloatType(resultType);
  if (isFloat || a.isFloat() || b.isFloat()) {
    std::function<double(double, double)> fn =
        llvm::StringSwitch<std::function<double(double, double)>>(op)
            .Case("Add", [](double x, double y) { return x + y; })
            .Case("Sub", [](double x, double y) { return x - y; })
            .Case("Mul", [](double x, double y) { return x * y; })
            .Case("Div", [](double x, double y) { return x / y; })
            .Case("Pow", [](double x, double y) { return std::pow(x, y); })
            .Case("Max", [](double x, double y) { return std::max(x, y); })
            .Case("Min", [](double x, double y) { return std::min(x, y); })
            .Case("Mod", [](double x, double y) { return std::fmod(x, y); })
            .Default(nullptr);
    return elementwise({&a, &b}, resultType, true,
                       [&](HostTensor &o, int64_t k, ArrayRef<int64_t> i) {
                         o.f[k] = fn(a.asDouble(i[0]), b.asDouble(i[1]));
                       });
  }
  return elementwise(
      {&a, &b}, resultType, false,
      [&](HostTensor &o, int64_t k, ArrayRef<int64_t> i) {
        const Affine &x = a.i[i[0]], &y = b.i[i[1]];
        if (op == "Add") {
          o.i[k] = x + y;
        } else if (op == "Sub") {
          o.i[k] = x - y;
        } else if (op == "Mul") {
          if (x.isConstant())
            o.i[k] = {y.c * x.c, y.s * x.c, y.p * x.c};
          else if (y.isConstant())
            o.i[k] = {x.c * y.c, x.s * y.c, x.p * y.c};
          else
            fail("a product of two sequence lengths");
        } else if (op == "Div") {
          if (!y.isConstant() || y.c == 0)
            fail("a division by a sequence length");
          if (x.c % y.c || x.s % y.c || x.p % y.c) {
            if (!x.isConstant())
              fail("an inexact division of a sequence length");
            o.i[k] = Affine::constant(x.c / y.c);
          } else {
            o.i[k] = {x.c / y.c, x.s / y.c, x.p / y.c};
          }
        } else if (op == "Max" || op == "Min" || op == "Mod" || op == "Pow") {
          if (x == y && (op == "Max" || op == "Min")) {
            o.i[k] = x;
            return;
          }
          if (!x.isConstant() || !y.isConstant())
            fail(op.str() + " of a sequence length");
          int64_t r =
              op == "Max"   ? std::max(x.c, y.c)
              : op == "Min" ? std::min(x.c, y.c)
              : op == "Mod"
                  ? (y.c ? x.c % y.c : 0)
                  : static_cast<int64_t>(std::pow((double)x.c, (double)y.c));
          o.i[k] = Affine::constant(r);
        } else {
          fail("unknown arithmetic");
        }
      });
}

HostTensor compare(StringRef op, const HostTensor &a, const HostTensor &b,
                   Type resultType) {
  return elementwise({&a, &b}, resultType, false,
                     [&](HostTensor &o, int64_t k, ArrayRef<int64_t> i) {
                       bool logical = op == "And" || op == "Or" || op == "Xor";
                       if (!logical && !a.isFloat() && !b.isFloat() &&
                           a.i[i[0]] == b.i[i[1]]) {
                         bool eq = op == "Equal" || op == "LessOrEqual" ||
                                   op == "GreaterOrEqual";
                         o.i[k] = Affine::constant(eq);
                         return;
                       }
                       if (!a.isFloat() && !a.i[i[0]].isConstant())
                         fail("a comparison of a sequence length");
                       if (!b.isFloat() && !b.i[i[1]].isConstant())
                         fail("a comparison of a sequence length");
                       double x = a.asDouble(i[0]), y = b.asDouble(i[1]);
                       bool r = op == "Equal"            ? x == y
                                : op == "Less"           ? x < y
                                : op == "LessOrEqual"    ? x <= y
                                : op == "Greater"        ? x > y
                                : op == "GreaterOrEqual" ? x >= y
                                : op == "And"            ? (x != 0 && y != 0)
                                : op == "Or"             ? (x != 0 || y != 0)
                                                         : (x != 0) != (y != 0);
                       o.i[k] = Affine::constant(r);
                     });
}

double unaryFloat(StringRef op, double x) {
  return llvm::StringSwitch<std::function<double(double)>>(op)
      .Case("Neg", [](double v) { return -v; })
      .Case("Sqrt", [](double v) { return std::sqrt(v); })
      .Case("Reciprocal", [](double v) { return 1.0 / v; })
      .Case("Cos", [](double v) { return std::cos(v); })
      .Case("Sin", [](double v) { return std::sin(v); })
      .Case("Exp", [](double v) { return std::exp(v); })
      .Case("Log", [](double v) { return std::log(v); })
      .Case("Tanh", [](double v) { return std::tanh(v); })
      .Case("Erf", [](double v) { return std::erf(v); })
      .Case("Sigmoid", [](double v) { return 1.0 / (1.0 + std::exp(-v)); })
      .Case("Abs", [](double v) { return std::fabs(v); })
      .Case("Floor", [](double v) { return std::floor(v); })
      .Case("Ceil", [](double v) { return std::ceil(v); })
      .Case("Relu", [](double v) { return v > 0 ? v : 0.0; })
      .Default([](double v) { return v; })(x);
}

/// Rounds a double to what `type` can hold (float16 and bfloat16 lose bits).
double roundTo(Type type, double v) {
  auto ft = dyn_cast<FloatType>(type);
  if (!ft || ft.getWidth() == 64)
    return v;
  APFloat a(v);
  bool lost;
  a.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
  a.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return a.convertToDouble();
}

HostTensor castTo(const HostTensor &t, Type to) {
  if (isFloatType(to)) {
    std::vector<double> v(t.size());
    for (int64_t k = 0; k < t.size(); ++k) {
      if (!t.isFloat() && !t.i[k].isConstant())
        fail("a cast of a sequence length to float");
      v[k] = roundTo(to, t.asDouble(k));
    }
    return HostTensor::floats(to, t.shape, std::move(v));
  }
  bool isBool = to.isInteger(1);
  std::vector<Affine> v(t.size());
  for (int64_t k = 0; k < t.size(); ++k) {
    if (t.isFloat())
      v[k] =
          Affine::constant(isBool ? t.f[k] != 0 : static_cast<int64_t>(t.f[k]));
    else if (isBool)
      v[k] = Affine::constant(constInt(t, k, "a cast to bool") != 0);
    else
      v[k] = t.i[k];
  }
  return HostTensor::ints(to, t.shape, std::move(v));
}

Shape reshapeTarget(const HostTensor &data, const HostTensor &shapeT,
                    bool allowZero) {
  SmallVector<int64_t> target = constInts(shapeT, "a reshape target");
  int64_t known = 1, inferred = -1;
  for (size_t d = 0; d < target.size(); ++d) {
    if (target[d] == 0 && !allowZero) {
      if (d >= data.shape.size())
        fail("reshape copies a dim the input lacks");
      target[d] = data.shape[d];
    }
    if (target[d] == -1)
      inferred = d;
    else
      known *= target[d];
  }
  if (inferred >= 0)
    target[inferred] = known ? data.size() / known : 0;
  int64_t n = std::accumulate(target.begin(), target.end(), int64_t(1),
                              std::multiplies<int64_t>());
  if (n != data.size())
    fail("reshape changes the element count");
  return Shape(target.begin(), target.end());
}

SmallVector<HostTensor> evaluate(StringRef op, DictionaryAttr attrs,
                                 int64_t opset, ArrayRef<const HostTensor *> in,
                                 ArrayRef<Type> resultTypes) {
  Type rt = resultTypes.empty() ? Type() : resultTypes[0];
  if (op != "Shape" && op != "Size")
    for (const HostTensor *t : in)
      if (t && t->shapeOnly)
        fail("it reads the contents of the KV cache");
  if (op == "Identity")
    return {need(in, 0)};
  if (op == "Cast")
    return {castTo(need(in, 0), rt)};
  if (op == "CastLike")
    return {castTo(need(in, 0), need(in, 1).elementType)};
  if (op == "Shape") {
    const HostTensor &x = need(in, 0);
    int64_t rank = x.shape.size();
    auto [start, end] = shapeOpRange(rank, attrInt(attrs, "start", 0),
                                     attrInt(attrs, "end", rank));
    std::vector<Affine> v;
    for (int64_t d = start; d < end; ++d)
      v.push_back(Affine::constant(x.shape[d]));
    return {HostTensor::ints(rt, {end - start}, v)};
  }
  if (op == "Size")
    return {HostTensor::ints(rt, {}, {Affine::constant(need(in, 0).size())})};
  static const StringRef arith[] = {"Add", "Sub", "Mul", "Div",
                                    "Pow", "Max", "Min", "Mod"};
  if (llvm::is_contained(arith, op)) {
    if ((op == "Max" || op == "Min") && in.size() == 1)
      return {need(in, 0)};
    return {binaryArith(op, need(in, 0), need(in, 1), rt)};
  }
  static const StringRef cmp[] = {
      "Equal",          "Less", "LessOrEqual", "Greater",
      "GreaterOrEqual", "And",  "Or",          "Xor"};
  if (llvm::is_contained(cmp, op))
    return {compare(op, need(in, 0), need(in, 1), rt)};
  if (op == "Not") {
    const HostTensor &x = need(in, 0);
    std::vector<Affine> v(x.size());
    for (int64_t k = 0; k < x.size(); ++k)
      v[k] = Affine::constant(constInt(x, k, "Not") == 0);
    return {HostTensor::ints(rt, x.shape, v)};
  }
  if (op == "IsNaN" || op == "IsInf") {
    const HostTensor &x = need(in, 0);
    std::vector<Affine> v(x.size());
    for (int64_t k = 0; k < x.size(); ++k)
      v[k] =
          Affine::constant(x.isFloat() && (op == "IsNaN" ? std::isnan(x.f[k])
                                                         : std::isinf(x.f[k])));
    return {HostTensor::ints(rt, x.shape, v)};
  }
  if (op == "Neg" && !need(in, 0).isFloat()) {
    const HostTensor &x = need(in, 0);
    std::vector<Affine> v(x.size());
    for (int64_t k = 0; k < x.size(); ++k)
      v[k] = Affine() - x.i[k];
    return {HostTensor::ints(rt, x.shape, v)};
  }
  static const StringRef unary[] = {
      "Neg",  "Sqrt", "Reciprocal", "Cos", "Sin",   "Exp",  "Log",
      "Tanh", "Erf",  "Sigmoid",    "Abs", "Floor", "Ceil", "Relu"};
  if (llvm::is_contained(unary, op)) {
    const HostTensor &x = need(in, 0);
    std::vector<double> v(x.size());
    for (int64_t k = 0; k < x.size(); ++k)
      v[k] = roundTo(rt, unaryFloat(op, x.asDouble(k)));
    if (!isFloatType(rt)) {
      std::vector<Affine> iv(x.size());
      for (int64_t k = 0; k < x.size(); ++k)
        iv[k] = Affine::constant(static_cast<int64_t>(v[k]));
      return {HostTensor::ints(rt, x.shape, iv)};
    }
    return {HostTensor::floats(rt, x.shape, v)};
  }
  if (op == "Where") {
    const HostTensor &c = need(in, 0), &a = need(in, 1), &b = need(in, 2);
    bool isFloat = a.isFloat() || b.isFloat();
    return {elementwise({&c, &a, &b}, rt, isFloat,
                        [&](HostTensor &o, int64_t k, ArrayRef<int64_t> i) {
                          bool take = constInt(c, i[0], "a Where condition");
                          const HostTensor &s = take ? a : b;
                          copyElement(s, take ? i[1] : i[2], o, k);
                        })};
  }
  if (op == "Unsqueeze" || op == "Squeeze") {
    const HostTensor &x = need(in, 0);
    SmallVector<int64_t> axes = opset >= 13 && in.size() > 1 && in[1]
                                    ? constInts(*in[1], "axes")
                                    : attrInts(attrs, "axes");
    Shape shape;
    if (op == "Unsqueeze") {
      int64_t rank = x.shape.size() + axes.size();
      SmallVector<bool> isNew(rank, false);
      for (int64_t a : axes)
        isNew[normAxis(a, rank)] = true;
      size_t src = 0;
      for (int64_t d = 0; d < rank; ++d)
        shape.push_back(isNew[d] ? 1 : x.shape[src++]);
    } else {
      int64_t rank = x.shape.size();
      SmallVector<bool> drop(rank, false);
      for (int64_t a : axes)
        drop[normAxis(a, rank)] = true;
      for (int64_t d = 0; d < rank; ++d)
        if (!(axes.empty() ? x.shape[d] == 1 : drop[d]))
          shape.push_back(x.shape[d]);
    }
    HostTensor out = x;
    out.shape = shape;
    return {out};
  }
  if (op == "Reshape") {
    HostTensor out = need(in, 0);
    out.shape = reshapeTarget(out, need(in, 1), attrInt(attrs, "allowzero", 0));
    return {out};
  }
  if (op == "Flatten") {
    HostTensor out = need(in, 0);
    int64_t rank = out.shape.size();
    int64_t axis = attrInt(attrs, "axis", 1);
    if (axis < 0)
      axis += rank;
    int64_t a = 1, b = 1;
    for (int64_t d = 0; d < rank; ++d)
      (d < axis ? a : b) *= out.shape[d];
    out.shape = {a, b};
    return {out};
  }
  if (op == "Concat") {
    SmallVector<const HostTensor *> parts;
    for (auto *t : in)
      if (t)
        parts.push_back(t);
    if (parts.empty())
      fail("Concat of nothing");
    int64_t rank = parts[0]->shape.size();
    int64_t axis = normAxis(attrInt(attrs, "axis", 0), rank);
    Shape shape = parts[0]->shape;
    shape[axis] = 0;
    for (auto *p : parts)
      shape[axis] += p->shape[axis];
    HostTensor out = blank(rt, shape, parts[0]->isFloat());
    Shape os = strides(shape);
    int64_t base = 0;
    for (auto *p : parts) {
      Shape ps = strides(p->shape);
      for (int64_t k = 0; k < p->size(); ++k) {
        int64_t rem = k, index = 0;
        for (int64_t d = 0; d < rank; ++d) {
          int64_t c = rem / ps[d];
          rem %= ps[d];
          index += (d == axis ? c + base : c) * os[d];
        }
        copyElement(*p, k, out, index);
      }
      base += p->shape[axis];
    }
    return {out};
  }
  if (op == "Gather") {
    const HostTensor &x = need(in, 0), &idx = need(in, 1);
    int64_t rank = x.shape.size();
    int64_t axis = normAxis(attrInt(attrs, "axis", 0), rank);
    SmallVector<int64_t> indices = constInts(idx, "a Gather index");
    Shape shape(x.shape.begin(), x.shape.begin() + axis);
    shape.append(idx.shape.begin(), idx.shape.end());
    shape.append(x.shape.begin() + axis + 1, x.shape.end());
    Shape xs = strides(x.shape);
    int64_t ir = idx.shape.size();
    Shape is = strides(idx.shape);
    return {remap(x, shape, [&](ArrayRef<int64_t> c) {
      int64_t flat = 0;
      for (int64_t d = 0; d < ir; ++d)
        flat += c[axis + d] * is[d];
      int64_t i = indices[flat];
      if (i < 0)
        i += x.shape[axis];
      if (i < 0 || i >= x.shape[axis])
        fail("a Gather index out of range");
      int64_t index = i * xs[axis];
      for (int64_t d = 0; d < axis; ++d)
        index += c[d] * xs[d];
      for (int64_t d = axis + 1; d < rank; ++d)
        index += c[d - 1 + ir] * xs[d];
      return index;
    })};
  }
  if (op == "GatherND") {
    const HostTensor &x = need(in, 0), &idx = need(in, 1);
    if (attrInt(attrs, "batch_dims", 0) != 0)
      fail("GatherND with batch_dims");
    int64_t m = idx.shape.back();
    Shape shape(idx.shape.begin(), idx.shape.end() - 1);
    shape.append(x.shape.begin() + m, x.shape.end());
    Shape xs = strides(x.shape);
    int64_t outer = idx.size() / std::max<int64_t>(m, 1);
    int64_t inner = 1;
    for (size_t d = m; d < x.shape.size(); ++d)
      inner *= x.shape[d];
    HostTensor out = blank(rt, shape, x.isFloat());
    for (int64_t o = 0; o < outer; ++o) {
      int64_t base = 0;
      for (int64_t j = 0; j < m; ++j) {
        int64_t i = constInt(idx, o * m + j, "a GatherND index");
        if (i < 0)
          i += x.shape[j];
        if (i < 0 || i >= x.shape[j])
          fail("a GatherND index out of range");
        base += i * xs[j];
      }
      for (int64_t k = 0; k < inner; ++k)
        copyElement(x, base + k, out, o * inner + k);
    }
    return {out};
  }
  if (op == "Slice") {
    const HostTensor &x = need(in, 0);
    int64_t rank = x.shape.size();
    SmallVector<int64_t> starts, ends, axes, steps;
    if (opset >= 10) {
      starts = constInts(need(in, 1), "Slice starts");
      ends = constInts(need(in, 2), "Slice ends");
      if (in.size() > 3 && in[3])
        axes = constInts(*in[3], "Slice axes");
      if (in.size() > 4 && in[4])
        steps = constInts(*in[4], "Slice steps");
    } else {
      starts = attrInts(attrs, "starts");
      ends = attrInts(attrs, "ends");
      axes = attrInts(attrs, "axes");
    }
    if (axes.empty())
      for (size_t d = 0; d < starts.size(); ++d)
        axes.push_back(d);
    if (steps.empty())
      steps.assign(starts.size(), 1);
    Shape begin(rank, 0), step(rank, 1), shape = x.shape;
    for (size_t j = 0; j < starts.size(); ++j) {
      int64_t a = normAxis(axes[j], rank), dim = x.shape[a];
      int64_t s = starts[j], e = ends[j], st = steps[j];
      if (st == 0)
        fail("a Slice step of 0");
      if (s < 0)
        s += dim;
      if (e < 0)
        e += dim;
      if (st > 0) {
        s = std::clamp<int64_t>(s, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        shape[a] = std::max<int64_t>(0, (e - s + st - 1) / st);
      } else {
        s = std::clamp<int64_t>(s, 0, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        shape[a] = std::max<int64_t>(0, (s - e - st - 1) / -st);
      }
      begin[a] = s;
      step[a] = st;
    }
    Shape xs = strides(x.shape);
    return {remap(x, shape, [&](ArrayRef<int64_t> c) {
      int64_t index = 0;
      for (int64_t d = 0; d < rank; ++d)
        index += (begin[d] + c[d] * step[d]) * xs[d];
      return index;
    })};
  }
  if (op == "Split") {
    const HostTensor &x = need(in, 0);
    int64_t rank = x.shape.size();
    int64_t axis = normAxis(attrInt(attrs, "axis", 0), rank);
    SmallVector<int64_t> sizes = in.size() > 1 && in[1]
                                     ? constInts(*in[1], "Split sizes")
                                     : attrInts(attrs, "split");
    int64_t n = resultTypes.size();
    if (sizes.empty())
      sizes.assign(n, (x.shape[axis] + n - 1) / n);
    SmallVector<HostTensor> outs;
    int64_t base = 0;
    Shape xs = strides(x.shape);
    for (int64_t j = 0; j < n; ++j) {
      Shape shape = x.shape;
      shape[axis] = std::min(sizes[j], x.shape[axis] - base);
      outs.push_back(remap(x, shape, [&](ArrayRef<int64_t> c) {
        int64_t index = 0;
        for (int64_t d = 0; d < rank; ++d)
          index += (d == axis ? c[d] + base : c[d]) * xs[d];
        return index;
      }));
      base += shape[axis];
    }
    return outs;
  }
  if (op == "Transpose") {
    const HostTensor &x = need(in, 0);
    int64_t rank = x.shape.size();
    SmallVector<int64_t> perm = attrInts(attrs, "perm");
    if (perm.empty())
      for (int64_t d = rank - 1; d >= 0; --d)
        perm.push_back(d);
    Shape shape(rank), xs = strides(x.shape);
    for (int64_t d = 0; d < rank; ++d)
      shape[d] = x.shape[perm[d]];
    return {remap(x, shape, [&](ArrayRef<int64_t> c) {
      int64_t index = 0;
      for (int64_t d = 0; d < rank; ++d)
        index += c[d] * xs[perm[d]];
      return index;
    })};
  }
  if (op == "Expand") {
    const HostTensor &x = need(in, 0);
    SmallVector<int64_t> target = constInts(need(in, 1), "an Expand shape");
    HostTensor t = blank(x.elementType, target, x.isFloat());
    Shape shape = broadcastShapes({&x, &t});
    return {remap(x, shape,
                  [&](ArrayRef<int64_t> c) { return broadcastIndex(x, c); })};
  }
  if (op == "Tile") {
    const HostTensor &x = need(in, 0);
    SmallVector<int64_t> reps = constInts(need(in, 1), "Tile repeats");
    int64_t rank = x.shape.size();
    Shape shape(rank), xs = strides(x.shape);
    for (int64_t d = 0; d < rank; ++d)
      shape[d] = x.shape[d] * reps[d];
    return {remap(x, shape, [&](ArrayRef<int64_t> c) {
      int64_t index = 0;
      for (int64_t d = 0; d < rank; ++d)
        index += (c[d] % x.shape[d]) * xs[d];
      return index;
    })};
  }
  if (op == "ConstantOfShape") {
    SmallVector<int64_t> shape =
        constInts(need(in, 0), "a ConstantOfShape shape");
    double value = 0;
    Type et = rt;
    if (attrs)
      if (auto v = attrs.getAs<ElementsAttr>("value"))
        if (auto t = hostTensorFromAttr(v, 1))
          value = t->asDouble(0);
    HostTensor out = blank(et, shape, isFloatType(et));
    for (int64_t k = 0; k < out.size(); ++k) {
      if (out.isFloat())
        out.f[k] = value;
      else
        out.i[k] = Affine::constant(static_cast<int64_t>(value));
    }
    return {out};
  }
  if (op == "Range") {
    const HostTensor &s = need(in, 0), &l = need(in, 1), &d = need(in, 2);
    if (s.isFloat() || isFloatType(rt)) {
      double a = s.asDouble(0), b = l.asDouble(0), st = d.asDouble(0);
      int64_t n = std::max<int64_t>(0, std::ceil((b - a) / st));
      std::vector<double> v(n);
      for (int64_t k = 0; k < n; ++k)
        v[k] = a + k * st;
      return {HostTensor::floats(rt, {n}, v)};
    }
    int64_t a = constInt(s, 0, "a Range start"),
            b = constInt(l, 0, "a Range limit"),
            st = constInt(d, 0, "a Range step");
    if (st == 0)
      fail("a Range step of 0");
    int64_t n = std::max<int64_t>(0, (b - a + st + (st > 0 ? -1 : 1)) / st);
    std::vector<Affine> v(n);
    for (int64_t k = 0; k < n; ++k)
      v[k] = Affine::constant(a + k * st);
    return {HostTensor::ints(rt, {n}, v)};
  }
  if (op == "Trilu") {
    const HostTensor &x = need(in, 0);
    int64_t k = in.size() > 1 && in[1] ? constInt(*in[1], 0, "Trilu k") : 0;
    bool upper = attrInt(attrs, "upper", 1);
    HostTensor out = x;
    int64_t rows = x.shape[x.shape.size() - 2], cols = x.shape.back();
    for (int64_t e = 0; e < x.size(); ++e) {
      int64_t c = e % cols, r = (e / cols) % rows;
      bool keep = upper ? c - r >= k : c - r <= k;
      if (!keep) {
        if (out.isFloat())
          out.f[e] = 0;
        else
          out.i[e] = Affine();
      }
    }
    return {out};
  }
  if (op == "MatMul") {
    const HostTensor &a = need(in, 0), &b = need(in, 1);
    if (a.shape.size() < 2 || b.shape.size() < 2)
      fail("MatMul of vectors");
    int64_t m = a.shape[a.shape.size() - 2], k = a.shape.back(),
            n = b.shape.back();
    if (b.shape[b.shape.size() - 2] != k)
      fail("MatMul inner dims differ");
    HostTensor a2 = a, b2 = b;
    a2.shape.resize(a.shape.size() - 2);
    b2.shape.resize(b.shape.size() - 2);
    Shape batch = broadcastShapes({&a2, &b2});
    Shape shape = batch;
    shape.push_back(m);
    shape.push_back(n);
    HostTensor out = blank(rt, shape, true);
    int64_t batches = 1;
    for (int64_t d : batch)
      batches *= d;
    Shape coord(batch.size(), 0);
    for (int64_t bi = 0; bi < batches; ++bi) {
      int64_t ia = broadcastIndex(a2, coord) * m * k;
      int64_t ib = broadcastIndex(b2, coord) * k * n;
      for (int64_t r = 0; r < m; ++r)
        for (int64_t c = 0; c < n; ++c) {
          double acc = 0;
          for (int64_t j = 0; j < k; ++j)
            acc += a.asDouble(ia + r * k + j) * b.asDouble(ib + j * n + c);
          out.f[bi * m * n + r * n + c] = roundTo(rt, acc);
        }
      for (int64_t d = static_cast<int64_t>(coord.size()) - 1; d >= 0; --d) {
        if (++coord[d] < batch[d])
          break;
        coord[d] = 0;
      }
    }
    return {out};
  }
  if (op == "ReduceSum" || op == "ReduceMax" || op == "ReduceMin" ||
      op == "ReduceMean") {
    const HostTensor &x = need(in, 0);
    int64_t rank = x.shape.size();
    SmallVector<int64_t> axes = in.size() > 1 && in[1]
                                    ? constInts(*in[1], "reduce axes")
                                    : attrInts(attrs, "axes");
    bool keep = attrInt(attrs, "keepdims", 1);
    SmallVector<bool> red(rank, axes.empty());
    for (int64_t a : axes)
      red[normAxis(a, rank)] = true;
    Shape kept(rank);
    for (int64_t d = 0; d < rank; ++d)
      kept[d] = red[d] ? 1 : x.shape[d];
    HostTensor acc = blank(rt, kept, true);
    std::vector<int64_t> count(acc.size(), 0);
    Shape ks = strides(kept), xs = strides(x.shape);
    for (int64_t e = 0; e < x.size(); ++e) {
      int64_t index = 0;
      for (int64_t d = 0; d < rank; ++d)
        if (!red[d])
          index += ((e / xs[d]) % x.shape[d]) * ks[d];
      double v = x.asDouble(e);
      double &a = acc.f[index];
      if (count[index] == 0)
        a = v;
      else if (op == "ReduceMax")
        a = std::max(a, v);
      else if (op == "ReduceMin")
        a = std::min(a, v);
      else
        a += v;
      ++count[index];
    }
    if (op == "ReduceMean")
      for (int64_t e = 0; e < acc.size(); ++e)
        acc.f[e] /= std::max<int64_t>(count[e], 1);
    if (!keep) {
      Shape s;
      for (int64_t d = 0; d < rank; ++d)
        if (!red[d])
          s.push_back(kept[d]);
      acc.shape = s;
    }
    if (!isFloatType(rt))
      return {castTo(acc, rt)};
    return {acc};
  }
  if (op == "CumSum") {
    const HostTensor &x = need(in, 0);
    int64_t rank = x.shape.size();
    int64_t axis = normAxis(constInt(need(in, 1), 0, "CumSum axis"), rank);
    if (attrInt(attrs, "exclusive", 0) || attrInt(attrs, "reverse", 0))
      fail("CumSum exclusive or reverse");
    HostTensor out = x;
    Shape xs = strides(x.shape);
    for (int64_t e = 0; e < x.size(); ++e)
      if ((e / xs[axis]) % x.shape[axis] != 0) {
        if (out.isFloat())
          out.f[e] += out.f[e - xs[axis]];
        else
          out.i[e] = out.i[e] + out.i[e - xs[axis]];
      }
    return {out};
  }
  fail("no host evaluation for " + op.str());
}

} // namespace

std::optional<SmallVector<HostTensor>>
evalHostOp(StringRef opType, DictionaryAttr attrs, int64_t opset,
           ArrayRef<const HostTensor *> inputs, ArrayRef<Type> resultTypes,
           std::string &why) {
  try {
    return evaluate(opType, attrs, opset, inputs, resultTypes);
  } catch (const EvalError &error) {
    why = error.why;
    return std::nullopt;
  }
}

} // namespace llmc::raising
