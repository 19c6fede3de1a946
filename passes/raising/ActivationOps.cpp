//===- ActivationOps.cpp - ONNX layout and arithmetic on activations ------===//
//
// What no pattern claims and touches an activation: layout changes
// (Reshape, Transpose, Squeeze, Unsqueeze, Cast), splits of the feature dim,
// residual adds and products, and scaling by a constant.
//
//===----------------------------------------------------------------------===//

#include "passes/raising/Raiser.h"

using namespace mlir;
using llmc::onnx_import::NodeOp;

namespace llmc::raising {

namespace {

int64_t normAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

/// The non-unit axes of an activation.
SmallVector<Axis> significant(ArrayRef<Axis> axes) {
  SmallVector<Axis> out;
  for (const Axis &a : axes)
    if (a.kind != AxisKind::Unit)
      out.push_back(a);
  return out;
}

bool sameLayout(const AValue &a, const AValue &b) {
  SmallVector<Axis> x = significant(a.axes), y = significant(b.axes);
  if (x.size() != y.size() || a.act.getType() != b.act.getType())
    return false;
  for (auto [p, q] : llvm::zip(x, y))
    if (p.kind != q.kind || p.feature != q.feature)
      return false;
  return a.axes.size() == b.axes.size();
}

} // namespace

LogicalResult Raiser::evalActOp(NodeOp n, ArrayRef<AValue *> in) {
  StringRef op = n.getOpType();
  Value result = n.getOutputs()[0];
  auto resultType = dyn_cast<RankedTensorType>(result.getType());
  Location l = n.getLoc();
  AValue *x = in[0];

  if (op == "Identity") {
    set(result, *x);
    return success();
  }
  if (op == "Cast" || op == "CastLike") {
    Type to = op == "Cast" && resultType ? resultType.getElementType()
              : in.size() > 1            ? in[1]->elementType
                                         : Type();
    if (op == "Cast" && !resultType) {
      // ONNX's element type codes for the float types.
      switch (attrInt(n, "to", 0)) {
      case 1:
        to = b.getF32Type();
        break;
      case 10:
        to = b.getF16Type();
        break;
      case 11:
        to = b.getF64Type();
        break;
      case 16:
        to = b.getBF16Type();
        break;
      default:
        break;
      }
    }
    if (!to)
      return error(n) << "casts to an unknown type";
    if (!isa<FloatType>(to))
      return error(n) << "casts an activation to " << to;
    auto type = cast<RankedTensorType>(x->act.getType());
    Value v = x->act;
    if (type.getElementType() != to)
      v = b.create<llm::ConvertOp>(l, type.clone(to), v);
    set(result, makeAct(v, x->axes));
    return success();
  }
  if (op == "Transpose") {
    SmallVector<int64_t> perm = attrInts(n, "perm");
    if (perm.size() != x->axes.size())
      return error(n) << "expects a permutation of " << x->axes.size()
                      << " axes";
    SmallVector<Axis> axes;
    for (int64_t p : perm)
      axes.push_back(x->axes[p]);
    set(result, makeAct(x->act, axes));
    return success();
  }
  if (op == "Unsqueeze" || op == "Squeeze") {
    std::optional<SmallVector<int64_t>> axesOrNone =
        intsFromInputOrAttr(n, 1, "axes");
    if (!axesOrNone)
      return error(n) << "expects constant axes";
    SmallVector<int64_t> axesList = *axesOrNone;
    SmallVector<Axis> axes;
    if (op == "Unsqueeze") {
      int64_t rank = x->axes.size() + axesList.size();
      SmallVector<bool> isNew(rank, false);
      for (int64_t a : axesList)
        isNew[normAxis(a, rank)] = true;
      size_t src = 0;
      for (int64_t d = 0; d < rank; ++d)
        axes.push_back(isNew[d] ? Axis{AxisKind::Unit} : x->axes[src++]);
    } else {
      int64_t rank = x->axes.size();
      SmallVector<bool> drop(rank, false);
      for (int64_t a : axesList)
        drop[normAxis(a, rank)] = true;
      for (int64_t d = 0; d < rank; ++d) {
        bool gone =
            axesList.empty() ? x->axes[d].kind == AxisKind::Unit : drop[d];
        if (gone && x->axes[d].kind != AxisKind::Unit)
          return error(n) << "squeezes an axis that is not of size 1";
        if (!gone)
          axes.push_back(x->axes[d]);
      }
    }
    set(result, makeAct(x->act, axes));
    return success();
  }
  if (op == "Reshape" || op == "Flatten") {
    // The target dims, from the shape operand (affine in S) or the type.
    SmallVector<Affine> target;
    if (op == "Reshape") {
      const HostTensor *t = hostData(n.getInputs()[1]);
      if (!t || t->isFloat())
        return error(n) << "has a target shape raising cannot work out";
      bool allowZero = attrInt(n, "allowzero", 0);
      const SmallVector<Affine> &src = *x->shape;
      Affine known = Affine::constant(1);
      int64_t inferred = -1;
      for (int64_t k = 0; k < t->size(); ++k) {
        Affine d = t->i[k];
        if (d == Affine::constant(0) && !allowZero)
          d = src[k];
        if (d == Affine::constant(-1))
          inferred = k;
        target.push_back(d);
      }
      if (inferred >= 0) {
        // The inferred dim: total / known, where only constants may divide.
        int64_t constTotal = 1, constKnown = 1;
        bool tokenInSrc = false, tokenInKnown = false;
        for (const Affine &d : src) {
          if (d.isConstant())
            constTotal *= d.c;
          else
            tokenInSrc = true;
        }
        for (int64_t k = 0; k < (int64_t)target.size(); ++k) {
          if (k == inferred)
            continue;
          if (target[k].isConstant())
            constKnown *= target[k].c;
          else
            tokenInKnown = true;
        }
        if (constKnown == 0 || constTotal % constKnown)
          return error(n) << "has a target shape that does not divide";
        Affine dim = Affine::constant(constTotal / constKnown);
        if (tokenInSrc && !tokenInKnown) {
          if (constTotal / constKnown != 1)
            return error(n) << "merges the token axis with features";
          dim = Affine{0, 1, 0};
        }
        target[inferred] = dim;
      }
    } else {
      int64_t axis = normAxis(attrInt(n, "axis", 1), x->axes.size());
      Affine a = Affine::constant(1), c = Affine::constant(1);
      for (int64_t d = 0; d < (int64_t)x->shape->size(); ++d) {
        Affine &acc = d < axis ? a : c;
        const Affine &dim = (*x->shape)[d];
        if (!dim.isConstant() && !(acc == Affine::constant(1)))
          return error(n) << "merges the token axis with features";
        acc = dim.isConstant()
                  ? Affine{acc.c * dim.c, acc.s * dim.c, acc.p * dim.c}
                  : dim;
      }
      target = {a, c};
    }
    // Tokens first among the non-unit dims, on both sides.
    Value flat = tokenMajor(*x, n);
    if (!flat)
      return failure();
    SmallVector<Axis> axes;
    SmallVector<int64_t> features;
    bool seenToken = false;
    for (const Affine &d : target) {
      if (d == Affine{0, 1, 0}) {
        if (seenToken)
          return error(n) << "has two token axes";
        seenToken = true;
        axes.push_back({AxisKind::Token});
      } else if (d == Affine::constant(1)) {
        axes.push_back({AxisKind::Unit});
      } else if (d.isConstant()) {
        if (!seenToken)
          return error(n) << "puts features before the token axis";
        axes.push_back({AxisKind::Feature, (int64_t)features.size()});
        features.push_back(d.c);
      } else {
        return error(n) << "has a target dim " << d.str()
                        << " that is not the token count";
      }
    }
    if (!seenToken)
      return error(n) << "merges the token axis away";
    Type et = cast<RankedTensorType>(flat.getType()).getElementType();
    Value v = flat;
    if (features.empty())
      return error(n) << "reshapes an activation to a token axis alone";
    RankedTensorType type = tokens(features, et);
    if (type != flat.getType())
      v = b.create<llm::ReshapeOp>(l, type, flat);
    set(result, makeAct(v, axes));
    return success();
  }
  if (op == "Split" || op == "Slice") {
    // Only along the last axis, which must be the last feature.
    int64_t rank = x->axes.size();
    auto type = cast<RankedTensorType>(x->act.getType());
    int64_t axis, dim = type.getShape().back();
    SmallVector<std::pair<int64_t, int64_t>> ranges;
    if (op == "Split") {
      axis = normAxis(attrInt(n, "axis", 0), rank);
      std::optional<SmallVector<int64_t>> sizesOrNone =
          intsFromInputOrAttr(n, 1, "split");
      if (!sizesOrNone)
        return error(n) << "expects constant split sizes";
      SmallVector<int64_t> sizes = *sizesOrNone;
      int64_t parts = n.getOutputs().size();
      if (sizes.empty())
        sizes.assign(parts, dim / parts);
      int64_t offset = 0;
      for (int64_t s : sizes) {
        ranges.push_back({offset, s});
        offset += s;
      }
    } else {
      auto read = [&](unsigned k) -> std::optional<int64_t> {
        if (n.getInputs().size() <= k ||
            isa<NoneType>(n.getInputs()[k].getType()))
          return std::nullopt;
        return constantInt(n.getInputs()[k]);
      };
      std::optional<int64_t> start = read(1), end = read(2), ax = read(3),
                             step = read(4);
      if (!start || !end || (step && *step != 1))
        return error(n) << "slices an activation other than one contiguous "
                           "range of one axis";
      axis = normAxis(ax.value_or(0), rank);
      int64_t s = *start < 0 ? *start + dim : *start;
      int64_t e = *end < 0 ? *end + dim : std::min(*end, dim);
      ranges.push_back({s, e - s});
    }
    const Axis &a = x->axes[axis];
    if (a.kind != AxisKind::Feature || a.feature != type.getRank() - 2)
      return error(n) << "splits an activation along an axis other than its "
                         "last feature dim";
    for (auto [r, range] : llvm::zip(n.getOutputs(), ranges)) {
      if (range.second <= 0 || range.first < 0 ||
          range.first + range.second > dim)
        return error(n) << "slices [" << range.first << ", "
                        << range.first + range.second
                        << ") of an activation's last dim of " << dim;
      if (range.first == 0 && range.second == dim) {
        set(r, *x);
        continue;
      }
      SmallVector<int64_t> shape(type.getShape());
      shape.back() = range.second;
      Value v = b.create<llm::SliceOp>(
          l, RankedTensorType::get(shape, type.getElementType()), x->act,
          b.getI64IntegerAttr(range.first), b.getI64IntegerAttr(range.second));
      set(r, makeAct(v, x->axes));
    }
    return success();
  }
  if (op == "Add" || op == "Mul" || op == "Sub" || op == "Div") {
    AValue *lhs = in[0], *rhs = in[1];
    if (lhs->isAct() && rhs->isAct()) {
      if (op == "Sub" || op == "Div")
        return error(n) << "combines two activations in a way no pattern "
                           "recognizes";
      if (!sameLayout(*lhs, *rhs))
        return error(n) << "combines activations of different layouts";
      Value v = op == "Add"
                    ? b.create<llm::AddOp>(l, lhs->act, rhs->act).getResult()
                    : b.create<llm::MulOp>(l, lhs->act, rhs->act).getResult();
      set(result, makeAct(v, lhs->axes));
      return success();
    }
    AValue *act = lhs->isAct() ? lhs : rhs;
    Value other = lhs->isAct() ? n.getInputs()[1] : n.getInputs()[0];
    std::optional<double> c = scalar(other);
    if ((op == "Mul" || (op == "Div" && lhs->isAct())) && c) {
      double factor = op == "Mul" ? *c : 1.0 / *c;
      Value v =
          factor == 1.0
              ? act->act
              : b.create<llm::ScaleOp>(l, act->act, b.getF64FloatAttr(factor))
                    .getResult();
      set(result, makeAct(v, act->axes));
      return success();
    }
    if ((op == "Add" || op == "Sub") && c && *c == 0.0) {
      set(result, *act);
      return success();
    }
    return error(n) << "combines an activation with "
                    << (c ? "a constant" : "a non-constant value")
                    << " in a way no pattern recognizes";
  }
  return error(n) << "no pattern raises this op on activations";
}

} // namespace llmc::raising
