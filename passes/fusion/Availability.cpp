//===- Availability.cpp - may a value be used at an op? -------------------===//

#include "passes/fusion/Availability.h"

#include "mlir/IR/Block.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

bool llmc::isAvailableAt(Value value, Operation *op) {
  Operation *ancestor = value.getParentBlock()->findAncestorOpInBlock(*op);
  if (!ancestor)
    return false;
  Operation *def = value.getDefiningOp();
  return !def || def->isBeforeInBlock(ancestor);
}

namespace {
bool canMoveUp(Value value, Operation *op) {
  if (llmc::isAvailableAt(value, op))
    return true;
  Operation *def = value.getDefiningOp();
  if (!def || def->getBlock() != op->getBlock() || def->getNumRegions() ||
      !isPure(def))
    return false;
  for (Value operand : def->getOperands())
    if (!canMoveUp(operand, op))
      return false;
  return true;
}

void moveUp(Value value, Operation *op) {
  if (llmc::isAvailableAt(value, op))
    return;
  Operation *def = value.getDefiningOp();
  for (Value operand : def->getOperands())
    moveUp(operand, op);
  def->moveBefore(op);
}
} // namespace

bool llmc::makeAvailableAt(Value value, Operation *op) {
  if (!canMoveUp(value, op))
    return false;
  moveUp(value, op);
  return true;
}
