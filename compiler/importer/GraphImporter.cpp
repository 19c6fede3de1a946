//===- GraphImporter.cpp - ONNX models to the onnx dialect ----------------===//

#include "compiler/importer/GraphImporter.h"
#include "compiler/importer/OnnxDataTypes.h"
#include "compiler/importer/OnnxModelFile.h"
#include "compiler/importer/TensorImport.h"

#include "dialects/onnx/OnnxOps.h"

#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace llvm;
using namespace llmc::importer;
namespace onnx_import = llmc::onnx_import;

namespace {

class GraphImporter {
public:
  GraphImporter(OnnxModelFile &file, MLIRContext &context)
      : file(file), context(context), builder(&context) {}

  Expected<OwningOpRef<ModuleOp>> run();

private:
  Error error(const Twine &message) {
    return createStringError(inconvertibleErrorCode(),
                             file.getPath() + ": " + message);
  }
  static std::string describe(const onnx::NodeProto &node) {
    return "node '" + node.name() + "' (" +
           (node.domain().empty() ? "" : node.domain() + ".") + node.op_type() +
           ")";
  }

  Error collectOpsets();
  Expected<Type> convertType(const onnx::TypeProto &type, StringRef what,
                             ArrayAttr *dimNames);
  Error collectValueTypes(const onnx::GraphProto &graph);
  Expected<Attribute> convertAttribute(const onnx::AttributeProto &attr,
                                       const onnx::NodeProto &node);
  Error importNode(const onnx::NodeProto &node);
  /// `{onnx.name = ..., onnx.dims = [...]}` of a graph input or output.
  DictionaryAttr ioAttributes(StringRef name, ArrayAttr dimNames);

  OnnxModelFile &file;
  MLIRContext &context;
  OpBuilder builder;
  StringMap<int64_t> opsets;
  /// "domain:name" of every model-local function.
  llvm::StringSet<> localFunctions;
  StringMap<Type> valueTypes;
  StringMap<Value> values;
  Value noneValue;
};

/// "ai.onnx" is the default domain's other name.
StringRef canonicalDomain(StringRef domain) {
  return domain == "ai.onnx" ? StringRef() : domain;
}

Error GraphImporter::collectOpsets() {
  for (const onnx::OperatorSetIdProto &opset : file.getModel().opset_import())
    opsets[canonicalDomain(opset.domain())] = opset.version();
  if (opsets.empty())
    return error("the model imports no opset");
  for (const onnx::FunctionProto &function : file.getModel().functions())
    localFunctions.insert(
        (canonicalDomain(function.domain()) + ":" + function.name()).str());
  return Error::success();
}

DictionaryAttr GraphImporter::ioAttributes(StringRef name, ArrayAttr dimNames) {
  SmallVector<NamedAttribute> attrs = {
      builder.getNamedAttr("onnx.name", builder.getStringAttr(name))};
  if (dimNames)
    attrs.push_back(builder.getNamedAttr("onnx.dims", dimNames));
  return builder.getDictionaryAttr(attrs);
}

Expected<Type> GraphImporter::convertType(const onnx::TypeProto &type,
                                          StringRef what, ArrayAttr *dimNames) {
  if (!type.has_tensor_type())
    return error(what + " is not a tensor (sequence, map, optional and "
                        "sparse values are not supported)");
  const onnx::TypeProto::Tensor &tensor = type.tensor_type();
  Type elementType = convertOnnxElementType(tensor.elem_type(), &context);
  if (!elementType)
    return error(what + " has element type " +
                 onnxDataTypeName(tensor.elem_type()) +
                 ", which is not supported");
  if (!tensor.has_shape())
    return Type(UnrankedTensorType::get(elementType));
  SmallVector<int64_t> shape;
  SmallVector<Attribute> names;
  bool anyName = false;
  for (const onnx::TensorShapeProto::Dimension &dim : tensor.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      shape.push_back(dim.dim_value());
      names.push_back(builder.getStringAttr(""));
    } else {
      shape.push_back(ShapedType::kDynamic);
      names.push_back(builder.getStringAttr(dim.dim_param()));
      anyName |= !dim.dim_param().empty();
    }
  }
  if (dimNames && anyName)
    *dimNames = builder.getArrayAttr(names);
  return Type(RankedTensorType::get(shape, elementType));
}

Error GraphImporter::collectValueTypes(const onnx::GraphProto &graph) {
  auto add = [&](const onnx::ValueInfoProto &info) -> Error {
    if (!info.has_type() || !info.type().has_tensor_type() ||
        !info.type().tensor_type().has_elem_type())
      return Error::success();
    Expected<Type> type =
        convertType(info.type(), "value '" + info.name() + "'", nullptr);
    if (!type)
      return type.takeError();
    valueTypes[info.name()] = *type;
    return Error::success();
  };
  for (const onnx::ValueInfoProto &info : graph.value_info())
    if (Error e = add(info))
      return e;
  for (const onnx::ValueInfoProto &info : graph.output())
    if (Error e = add(info))
      return e;
  return Error::success();
}

Expected<Attribute>
GraphImporter::convertAttribute(const onnx::AttributeProto &attr,
                                const onnx::NodeProto &node) {
  auto where = [&] {
    return describe(node) + ": attribute '" + attr.name() + "'";
  };
  using A = onnx::AttributeProto;
  switch (attr.type()) {
  case A::FLOAT:
    return Attribute(builder.getF32FloatAttr(attr.f()));
  case A::INT:
    return Attribute(builder.getI64IntegerAttr(attr.i()));
  case A::STRING:
    return Attribute(builder.getStringAttr(attr.s()));
  case A::TENSOR: {
    Expected<ElementsAttr> tensor = importTensor(attr.t(), file, &context);
    if (!tensor)
      return tensor.takeError();
    return Attribute(*tensor);
  }
  case A::TYPE_PROTO: {
    Expected<Type> type = convertType(attr.tp(), where(), nullptr);
    if (!type)
      return type.takeError();
    return Attribute(TypeAttr::get(*type));
  }
  case A::FLOATS: {
    SmallVector<Attribute> list;
    for (float value : attr.floats())
      list.push_back(builder.getF32FloatAttr(value));
    return Attribute(builder.getArrayAttr(list));
  }
  case A::INTS: {
    SmallVector<Attribute> list;
    for (int64_t value : attr.ints())
      list.push_back(builder.getI64IntegerAttr(value));
    return Attribute(builder.getArrayAttr(list));
  }
  case A::STRINGS: {
    SmallVector<Attribute> list;
    for (const std::string &value : attr.strings())
      list.push_back(builder.getStringAttr(value));
    return Attribute(builder.getArrayAttr(list));
  }
  case A::TENSORS: {
    SmallVector<Attribute> list;
    for (const onnx::TensorProto &value : attr.tensors()) {
      Expected<ElementsAttr> tensor = importTensor(value, file, &context);
      if (!tensor)
        return tensor.takeError();
      list.push_back(*tensor);
    }
    return Attribute(builder.getArrayAttr(list));
  }
  case A::GRAPH:
  case A::GRAPHS:
    return error(where() + " is a graph (control flow such as If and Loop "
                           "is not supported)");
  case A::SPARSE_TENSOR:
  case A::SPARSE_TENSORS:
    return error(where() + " is a sparse tensor, which is not supported");
  default:
    return error(where() + " has no valid type (AttributeProto.type " +
                 Twine(static_cast<int>(attr.type())) + ")");
  }
}

Error GraphImporter::importNode(const onnx::NodeProto &node) {
  StringRef domain = canonicalDomain(node.domain());
  auto opset = opsets.find(domain);
  if (opset == opsets.end())
    return error(describe(node) + ": the model imports no opset for domain '" +
                 domain + "'");
  if (localFunctions.contains((domain + ":" + node.op_type()).str()))
    return error(describe(node) +
                 ": calls a model-local function, which llmc does not "
                 "inline yet; export with functions inlined");

  SmallVector<Value> inputs;
  for (const std::string &name : node.input()) {
    if (name.empty()) {
      if (!noneValue)
        noneValue = onnx_import::NoneOp::create(
                        builder, builder.getUnknownLoc(), builder.getNoneType())
                        .getResult();
      inputs.push_back(noneValue);
      continue;
    }
    auto it = values.find(name);
    if (it == values.end())
      return error(describe(node) + ": input '" + name +
                   "' is not a graph input, an initializer or an output of "
                   "an earlier node");
    inputs.push_back(it->second);
  }

  SmallVector<Type> resultTypes;
  for (const std::string &name : node.output()) {
    auto it = valueTypes.find(name);
    resultTypes.push_back(it == valueTypes.end()
                              ? Type(onnx_import::UnknownType::get(&context))
                              : it->second);
  }

  SmallVector<NamedAttribute> attrs;
  for (const onnx::AttributeProto &attr : node.attribute()) {
    if (!attr.ref_attr_name().empty())
      return error(describe(node) + ": attribute '" + attr.name() +
                   "' refers to a function attribute outside a function");
    Expected<Attribute> value = convertAttribute(attr, node);
    if (!value)
      return value.takeError();
    attrs.push_back(builder.getNamedAttr(attr.name(), *value));
  }

  Location loc = NameLoc::get(
      builder.getStringAttr(node.name()),
      FileLineColLoc::get(builder.getStringAttr(file.getPath()), 0, 0));
  auto op = onnx_import::NodeOp::create(
      builder, loc, resultTypes, inputs, builder.getStringAttr(node.op_type()),
      builder.getStringAttr(domain), builder.getI64IntegerAttr(opset->second),
      builder.getStringAttr(node.name()),
      attrs.empty() ? DictionaryAttr() : builder.getDictionaryAttr(attrs));
  for (auto [name, result] : llvm::zip(node.output(), op.getResults()))
    if (!name.empty())
      values[name] = result;
  return Error::success();
}

Expected<OwningOpRef<ModuleOp>> GraphImporter::run() {
  const onnx::ModelProto &model = file.getModel();
  const onnx::GraphProto &graph = model.graph();
  if (Error e = collectOpsets())
    return std::move(e);
  if (graph.sparse_initializer_size() > 0)
    return error("sparse initializer '" +
                 graph.sparse_initializer(0).values().name() +
                 "' is not supported");

  OwningOpRef<ModuleOp> module = ModuleOp::create(builder.getUnknownLoc());
  SmallVector<NamedAttribute> opsetAttrs;
  for (auto &entry : opsets)
    opsetAttrs.push_back(builder.getNamedAttr(
        entry.getKey().empty() ? "ai.onnx" : entry.getKey(),
        builder.getI64IntegerAttr(entry.getValue())));
  (*module)->setAttr("onnx.opset_imports",
                     builder.getDictionaryAttr(opsetAttrs));
  (*module)->setAttr("onnx.ir_version",
                     builder.getI64IntegerAttr(model.ir_version()));
  if (!model.producer_name().empty())
    (*module)->setAttr("onnx.producer",
                       builder.getStringAttr(model.producer_name() + " " +
                                             model.producer_version()));

  if (Error e = collectValueTypes(graph))
    return std::move(e);

  // Graph inputs that are also initializers (older IR versions list them
  // both ways) are constants, not arguments.
  StringMap<const onnx::TensorProto *> initializers;
  for (const onnx::TensorProto &tensor : graph.initializer())
    initializers[tensor.name()] = &tensor;
  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  SmallVector<std::string> argNames;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.count(input.name()))
      continue;
    ArrayAttr dimNames;
    Expected<Type> type = convertType(
        input.type(), "graph input '" + input.name() + "'", &dimNames);
    if (!type)
      return type.takeError();
    argTypes.push_back(*type);
    argAttrs.push_back(ioAttributes(input.name(), dimNames));
    argNames.push_back(input.name());
  }

  builder.setInsertionPointToEnd(module->getBody());
  auto function = func::FuncOp::create(builder, builder.getUnknownLoc(), "main",
                                       builder.getFunctionType(argTypes, {}));
  function.setAllArgAttrs(argAttrs);
  Block *body = function.addEntryBlock();
  builder.setInsertionPointToStart(body);
  for (auto [name, arg] : llvm::zip(argNames, body->getArguments()))
    values[name] = arg;

  for (const onnx::TensorProto &tensor : graph.initializer()) {
    Expected<ElementsAttr> value = importTensor(tensor, file, &context);
    if (!value)
      return value.takeError();
    auto constant = onnx_import::ConstantOp::create(
        builder, NameLoc::get(builder.getStringAttr(tensor.name())),
        value->getType(), builder.getStringAttr(tensor.name()), *value);
    values[tensor.name()] = constant.getResult();
  }

  for (const onnx::NodeProto &node : graph.node())
    if (Error e = importNode(node))
      return std::move(e);

  SmallVector<Value> results;
  SmallVector<DictionaryAttr> resultAttrs;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    auto it = values.find(output.name());
    if (it == values.end())
      return error("graph output '" + output.name() +
                   "' is produced by no node, initializer or input");
    results.push_back(it->second);
    // The result's type is its value's; the declared type gives dim names.
    ArrayAttr dimNames;
    if (output.has_type()) {
      Expected<Type> declared = convertType(
          output.type(), "graph output '" + output.name() + "'", &dimNames);
      if (!declared)
        return declared.takeError();
    }
    resultAttrs.push_back(ioAttributes(output.name(), dimNames));
  }
  func::ReturnOp::create(builder, builder.getUnknownLoc(), results);
  function.setFunctionType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  function.setAllResultAttrs(resultAttrs);

  if (failed(verify(*module)))
    return error("the imported module does not verify (see the diagnostics "
                 "above)");
  return std::move(module);
}

} // namespace

Expected<OwningOpRef<ModuleOp>>
llmc::importer::importOnnxModel(OnnxModelFile &file, MLIRContext &context) {
  context.loadDialect<onnx_import::OnnxDialect, func::FuncDialect>();
  // ONNX shape inference fills in value types the file leaves out. It knows
  // only the standard domains and throws on what it cannot handle; either
  // way the import goes on with the types the file states.
  try {
    onnx::ShapeInferenceOptions options;
    options.check_type = false;
    options.error_mode = 0;
    onnx::shape_inference::InferShapes(
        file.getMutableModel(), onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &) {
  }
  return GraphImporter(file, context).run();
}
