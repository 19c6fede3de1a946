//===- HostEval.h - evaluates ONNX ops on host tensors ----------*- C++ -*-===//
//
// The reference semantics of the ONNX ops that shape arithmetic, masks and
// rotary tables use, on HostTensor. Integer results stay affine in S and P
// where the op allows it (Add, Sub, Mul by a constant, Gather, Concat, ...);
// an op that needs a concrete value it does not have fails with a reason.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_PASSES_RAISING_HOSTEVAL_H
#define LLMC_PASSES_RAISING_HOSTEVAL_H

#include "passes/raising/HostTensor.h"

#include "mlir/IR/BuiltinAttributes.h"

namespace llmc::raising {

/// Evaluates one ONNX op. `inputs` has nullptr for left-out optional inputs;
/// `resultTypes` are the element types the op produces. On failure, `why`
/// says what was missing.
std::optional<llvm::SmallVector<HostTensor>>
evalHostOp(llvm::StringRef opType, mlir::DictionaryAttr attrs, int64_t opset,
           llvm::ArrayRef<const HostTensor *> inputs,
           llvm::ArrayRef<mlir::Type> resultTypes, std::string &why);

} // namespace llmc::raising

#endif // LLMC_PASSES_RAISING_HOSTEVAL_H
