//===- FuseLinearGroups.cpp - llmc-fuse-linear-groups ---------------------===//

#include "dialects/llm/LlmOps.h"
#include "passes/Passes.h"
#include "passes/fusion/Availability.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"

namespace llmc {
#define GEN_PASS_DEF_FUSELINEARGROUPS
#include "passes/Passes.h.inc"
} // namespace llmc

using namespace mlir;
using namespace llmc;
using namespace llmc::llm;

namespace {

/// Whether a linear's weight is a matrix (float, or quantized by
/// llm.quantized_weight) that a group can take, with no fused residual or
/// norm.
bool groupable(LinearOp linear) {
  if (linear.getResidual() || linear.getNormWeight())
    return false;
  Type type = linear.getWeight().getType();
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return tensor.getRank() == 2;
  return isa<QuantizedWeightType>(type) &&
         linear.getWeight().getDefiningOp<QuantizedWeightOp>();
}

/// Whether `linear` may join a group led by `first`: the same block, weights
/// stored alike, and both with or both without a bias.
bool compatible(LinearOp first, LinearOp linear) {
  return linear->getBlock() == first->getBlock() &&
         haveSameWeightFormat(linear.getWeight().getType(),
                              first.getWeight().getType()) &&
         bool(linear.getBias()) == bool(first.getBias());
}

/// Replaces `members` (in program order, 2 or 3) with one linear_group at
/// the first member; false when an operand cannot be made available there.
bool fuse(ArrayRef<LinearOp> members) {
  LinearOp first = members.front();
  Operation *at = first;
  for (LinearOp l : llvm::drop_begin(members)) {
    if (!makeAvailableAt(l.getWeight(), at))
      return false;
    if (l.getBias() && !makeAvailableAt(l.getBias(), at))
      return false;
  }
  SmallVector<Value> weights, biases;
  SmallVector<Type> types;
  for (LinearOp l : members) {
    weights.push_back(l.getWeight());
    if (l.getBias())
      biases.push_back(l.getBias());
    types.push_back(l.getType());
  }
  OpBuilder builder(at);
  auto group = LinearGroupOp::create(
      builder, at->getLoc(), types, first.getInput(), weights, biases,
      /*norm_weight=*/Value(), FloatAttr(), UnitAttr());
  for (size_t i = 0; i < members.size(); ++i) {
    LinearOp l = members[i];
    l.getResult().replaceAllUsesWith(group.getResults()[i]);
    l->erase();
  }
  return true;
}

struct FuseLinearGroupsPass
    : llmc::impl::FuseLinearGroupsBase<FuseLinearGroupsPass> {
  void runOnOperation() override {
    // The inputs read by groupable linears, in program order.
    llvm::SetVector<Value> inputs;
    getOperation()->walk([&](LinearOp l) {
      if (groupable(l))
        inputs.insert(l.getInput());
    });
    for (Value input : inputs) {
      SmallVector<LinearOp> readers;
      for (Operation *user : input.getUsers())
        if (auto l = dyn_cast<LinearOp>(user))
          if (l.getInput() == input && groupable(l))
            readers.push_back(l);
      llvm::sort(readers, [](LinearOp a, LinearOp b) {
        return a->getBlock() == b->getBlock()
                   ? a->isBeforeInBlock(b)
                   : a.getAsOpaquePointer() < b.getAsOpaquePointer();
      });
      // Greedy, in order: each group takes up to three compatible readers.
      SmallVector<bool> used(readers.size(), false);
      for (size_t i = 0; i < readers.size(); ++i) {
        if (used[i])
          continue;
        SmallVector<LinearOp> members = {readers[i]};
        SmallVector<size_t> taken = {i};
        for (size_t j = i + 1; j < readers.size() && members.size() < 3; ++j)
          if (!used[j] && compatible(readers[i], readers[j])) {
            members.push_back(readers[j]);
            taken.push_back(j);
          }
        if (members.size() < 2)
          continue;
        if (fuse(members))
          for (size_t j : taken)
            used[j] = true;
      }
    }
  }
};

} // namespace
