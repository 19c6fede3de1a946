//===- LlmTypes.cpp - llm dialect types -----------------------------------===//

#include "dialects/llm/LlmTypes.h"
#include "dialects/llm/LlmDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace llmc::llm;

#define GET_TYPEDEF_CLASSES
#include "dialects/llm/LlmTypes.cpp.inc"

void LlmDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/llm/LlmTypes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// QuantizedWeightType
//===----------------------------------------------------------------------===//

LogicalResult
QuantizedWeightType::verify(function_ref<InFlightDiagnostic()> emitError,
                            ArrayRef<int64_t> shape, IntegerType storageType,
                            int64_t groupSize, FloatType scaleType,
                            bool hasZeroPoint) {
  if (shape.size() != 2)
    return emitError() << "expects a quantized weight of rank 2, got rank "
                       << shape.size();
  if (shape[0] <= 0 || shape[1] <= 0)
    return emitError() << "expects a static positive shape, got " << shape[0]
                       << "x" << shape[1];
  unsigned bits = storageType.getWidth();
  if (bits != 4 && bits != 8)
    return emitError() << "expects 4- or 8-bit integer storage, got "
                       << storageType;
  if (groupSize <= 0)
    return emitError() << "expects a positive group size, got " << groupSize;
  if (!hasZeroPoint && storageType.isUnsigned())
    return emitError() << "expects signed storage without zero points "
                          "(symmetric quantization), got "
                       << storageType;
  return success();
}

Type QuantizedWeightType::parse(AsmParser &parser) {
  MLIRContext *ctx = parser.getContext();
  SMLoc loc = parser.getCurrentLocation();
  SmallVector<int64_t> shape;
  IntegerType storageType;
  int64_t groupSize = 0;
  FloatType scaleType;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/false,
                                /*withTrailingX=*/false) ||
      parser.parseComma() || parser.parseType(storageType) ||
      parser.parseComma() || parser.parseKeyword("group") ||
      parser.parseEqual() || parser.parseInteger(groupSize) ||
      parser.parseComma() || parser.parseKeyword("scale") ||
      parser.parseEqual() || parser.parseType(scaleType))
    return {};
  bool hasZeroPoint = false;
  if (succeeded(parser.parseOptionalComma())) {
    if (parser.parseKeyword("zero_point"))
      return {};
    hasZeroPoint = true;
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<QuantizedWeightType>(
      loc, ctx, shape, storageType, groupSize, scaleType, hasZeroPoint);
}

void QuantizedWeightType::print(AsmPrinter &printer) const {
  printer << "<";
  llvm::interleave(getShape(), printer.getStream(), "x");
  printer << ", " << getStorageType() << ", group = " << getGroupSize()
          << ", scale = " << getScaleType();
  if (getHasZeroPoint())
    printer << ", zero_point";
  printer << ">";
}
