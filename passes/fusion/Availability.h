//===- Availability.h - may a value be used at an op? -----------*- C++ -*-===//
//
// Fusion passes put one op where several were; these say whether the
// operands they take along are defined before that place, and move pure
// definitions (a transpose of a constant) up to it when they are not.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_PASSES_FUSION_AVAILABILITY_H
#define LLMC_PASSES_FUSION_AVAILABILITY_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"

namespace llmc {

/// Whether `value` may be used by an op placed right before `op`.
bool isAvailableAt(mlir::Value value, mlir::Operation *op);

/// Makes `value` available before `op`: true when it already is, or when
/// its definition and, recursively, its operands' are pure ops without
/// regions in `op`'s block that can be moved up before `op`.
bool makeAvailableAt(mlir::Value value, mlir::Operation *op);

} // namespace llmc

#endif // LLMC_PASSES_FUSION_AVAILABILITY_H
