//===- Raiser.h - raising an imported ONNX graph to llm ops -----*- C++ -*-===//
//
// Raising works backwards from the graph's logits: each value is worked out
// on demand, once, as one of
//   - Host: a tensor known at compile time (weights, shape arithmetic, whose
//     integers may be affine in the symbolic lengths S and P);
//   - Act: a per-token activation, held as an llm value [T, f0, f1, ...]
//     plus how the ONNX axes map onto it (batch 1, the token axis, features);
//   - Opaque: a value computed from token positions or the attention mask
//     (rotary tables, masks): never computed at run time, it is evaluated on
//     the host for chosen lengths when a pattern needs its meaning.
// Before an op is handled generically, the patterns registered for its op
// type look at the sub-graph it roots (norms, rotary embedding, attention,
// activations, linear layers) and, when they match, produce its value.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_PASSES_RAISING_RAISER_H
#define LLMC_PASSES_RAISING_RAISER_H

#include "passes/raising/HostTensor.h"

#include "dialects/llm/LlmOps.h"
#include "dialects/onnx/OnnxOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <map>
#include <memory>
#include <tuple>

namespace llmc::raising {

enum class AxisKind { Unit, Token, Feature };

/// One ONNX axis of an activation: the batch (or another size-1 axis), the
/// token axis, or feature `feature` (dim feature + 1) of the llm value.
struct Axis {
  AxisKind kind;
  int64_t feature = -1;
};

/// What a graph input is, from the Optimum / GenAI I/O layout.
enum class InputRole { TokenIds, Positions, AttentionMask, PastKey, PastValue };

struct AValue {
  enum class Kind { Host, Act, Opaque };
  Kind kind = Kind::Opaque;
  mlir::Type elementType;
  /// The ONNX shape, when known (Host and Act always).
  std::optional<llvm::SmallVector<Affine>> shape;
  // Host: data (loaded lazily for large constants) and its constant op.
  std::shared_ptr<HostTensor> host;
  mlir::Operation *constant = nullptr;
  // Act.
  mlir::Value act;
  llvm::SmallVector<Axis> axes;

  bool isHost() const { return kind == Kind::Host; }
  bool isAct() const { return kind == Kind::Act; }
  bool isOpaque() const { return kind == Kind::Opaque; }
};

/// Concrete lengths for evaluating an Opaque value on the host.
struct Env {
  int64_t s = 1, p = 0;
};

/// The id of token k when an expression of the token ids is evaluated on the
/// host to check what it is.
inline int64_t tokenIdStandIn(int64_t k) { return 1 + 7 * k; }

struct RaiseOptions {
  /// Rows of the rotary tables: the longest context the artifact supports.
  int64_t maxPositions = 4096;
};

class Raiser;
/// A pattern: returns failure() after reporting an error, success(true)
/// when it produced the values of `node`'s results, success(false) when
/// the node is not its shape.
using Pattern =
    std::function<mlir::FailureOr<bool>(Raiser &, onnx_import::NodeOp)>;

class Raiser {
public:
  Raiser(mlir::func::FuncOp main, RaiseOptions options);

  /// Builds func @forward in the module of `main`, then erases `main`.
  mlir::LogicalResult run();

  //===--------------------------------------------------------------------===//
  // For patterns
  //===--------------------------------------------------------------------===//

  /// The value of `v`, working it out on first use; nullptr after an error
  /// was reported.
  AValue *eval(mlir::Value v);
  /// eval(v), which must be an activation; reports an error at `user`.
  AValue *evalAct(mlir::Value v, mlir::Operation *user);
  /// The host data of `v` (a constant, or computable without the token
  /// values for the symbolic lengths), or nullopt.
  const HostTensor *hostData(mlir::Value v);
  /// A scalar constant (a host tensor whose elements are all equal).
  std::optional<double> scalar(mlir::Value v);
  /// The integer of a one-element host tensor with no symbolic length in
  /// it (a Slice bound, an axis), or nullopt.
  std::optional<int64_t> constantInt(mlir::Value v);
  /// Evaluates `v` on the host for concrete lengths; reports at `user`.
  std::optional<HostTensor> evalConcrete(mlir::Value v, const Env &env,
                                         mlir::Operation *user);

  /// Whether `v` depends on the token ids' values (activations do; shapes,
  /// positions and masks do not).
  bool dependsOnTokens(mlir::Value v);

  /// Records the value of result `v`.
  void set(mlir::Value v, AValue value);
  /// An activation value for llm value `act` with `axes`.
  AValue makeAct(mlir::Value act, llvm::ArrayRef<Axis> axes);

  /// The onnx.node defining `v` if its op type is `opType` (any when empty).
  static onnx_import::NodeOp node(mlir::Value v, llvm::StringRef opType = "");
  /// `v` with Cast and Identity nodes above it skipped.
  static mlir::Value skipCasts(mlir::Value v);
  /// The ONNX rank of `v`: from its type, else from its value (worked out
  /// if need be); -1 when neither says.
  int64_t rank(mlir::Value v);
  static int64_t attrInt(onnx_import::NodeOp n, llvm::StringRef name,
                         int64_t fallback);
  static double attrFloat(onnx_import::NodeOp n, llvm::StringRef name,
                          double fallback);
  static llvm::SmallVector<int64_t> attrInts(onnx_import::NodeOp n,
                                             llvm::StringRef name);

  /// The integer list an op takes as constant input `input` (newer
  /// opsets) or else as attribute `attr` (older ones); nullopt when the
  /// input is there but not a constant.
  std::optional<llvm::SmallVector<int64_t>>
  intsFromInputOrAttr(onnx_import::NodeOp n, unsigned input,
                      llvm::StringRef attr);

  /// Reports an error at `op` naming its ONNX node.
  mlir::InFlightDiagnostic error(mlir::Operation *op);

  /// An llm.constant for a constant value (weights stay blobs).
  mlir::Value weight(mlir::Value v, mlir::Operation *user);
  /// An llm.constant holding `tensor` as `elementType`.
  mlir::Value constant(const HostTensor &tensor, mlir::Type elementType,
                       llvm::StringRef name);

  /// The activation as [T, features...] with its features merged into one
  /// dim ([T, F]); requires the ONNX axes to be units, then tokens, then
  /// features in order.
  mlir::Value tokenMajor(const AValue &value, mlir::Operation *user);
  /// The activation as [T, heads, head_dim]; the ONNX layout may be
  /// [1, T, H, D], [1, H, T, D] or [1, T, H*D] (given `heads`).
  mlir::Value headsOf(const AValue &value, int64_t heads,
                      mlir::Operation *user);
  /// Axes of a [1, T, F...] value with `features` feature dims.
  static llvm::SmallVector<Axis> tokenAxes(int64_t features);

  mlir::OpBuilder &builder() { return b; }
  mlir::Value tokenIds() { return ids; }
  mlir::Value positions() { return pos; }
  const RaiseOptions &options() const { return opts; }
  mlir::Location loc(mlir::Operation *op) { return op->getLoc(); }
  mlir::RankedTensorType tokens(llvm::ArrayRef<int64_t> features,
                                mlir::Type elementType);

  /// The role of a graph input, if it is one.
  std::optional<InputRole> role(mlir::Value v);

  /// Called by the attention patterns: a new layer index, recording the
  /// cache geometry (every layer must agree).
  mlir::FailureOr<int64_t> addLayer(int64_t kvHeads, int64_t headDim,
                                    mlir::Type dtype, mlir::Operation *user);
  /// The cache element type from the past-key input, if the export has one.
  mlir::Type cacheType() const { return pastType; }

  /// Analyses an attention mask: success with 0 for plain causal, W for a
  /// sliding window of W; an error when the mask is neither.
  mlir::FailureOr<int64_t> maskWindow(mlir::Value mask, mlir::Operation *user);
  /// Rotary tables from cos/sin values computed from the positions (or
  /// constant tables): [maxPositions, half] each, as llm.constants.
  mlir::FailureOr<std::pair<mlir::Value, mlir::Value>>
  ropeTables(mlir::Value cos, mlir::Value sin, int64_t half,
             bool duplicatedHalves, mlir::Operation *user);

private:
  AValue *evalNode(onnx_import::NodeOp n, mlir::Value v);
  AValue *evalInput(mlir::BlockArgument arg);
  mlir::LogicalResult evalGeneric(onnx_import::NodeOp n);
  mlir::LogicalResult evalActOp(onnx_import::NodeOp n,
                                llvm::ArrayRef<AValue *> in);
  /// The symbolic shape of an opaque value, fitted to its concrete shapes
  /// at a few lengths; nullopt when it cannot be evaluated or is not affine.
  std::optional<llvm::SmallVector<Affine>> fitShape(mlir::Value v);
  std::optional<HostTensor>
  concrete(mlir::Value v, const Env &env,
           llvm::DenseMap<mlir::Value, HostTensor> &memo, std::string &why);

  mlir::func::FuncOp main;
  RaiseOptions opts;
  mlir::OpBuilder b;
  mlir::Value ids, pos;
  llvm::DenseMap<mlir::Value, std::unique_ptr<AValue>> values;
  llvm::DenseMap<mlir::Value, bool> tokenDependent;
  llvm::StringMap<llvm::SmallVector<Pattern>> patterns;
  int64_t layers = 0, kvHeads = 0, headDim = 0;
  mlir::Type kvType, pastType;
  bool hadError = false;
  int64_t constantCount = 0;
  std::vector<std::pair<HostTensor, mlir::Value>> tables;
  /// ropeTables' results by (cos, sin, half, duplicated halves).
  std::map<std::tuple<void *, void *, int64_t, bool>,
           std::pair<mlir::Value, mlir::Value>>
      ropeCache;
};

/// Whether `v` is a past key/value graph input (through no-op nodes).
bool isCacheInput(Raiser &r, mlir::Value v);

/// A function of one value that an elementwise sub-graph computes.
struct UnaryFunction {
  enum class Kind { Scale, Softcap, Silu, GeluTanh, GeluErf };
  Kind kind;
  /// Scale: a * x; Softcap: cap * tanh(scale * x / cap).
  double scale = 1.0, cap = 0.0;
};

/// If the elementwise ops rooted at `root` (with constant scalars aside)
/// read one value only, sets `leaf` to it and says which function of it
/// they compute, found by evaluating them at sample points.
std::optional<UnaryFunction> identifyUnary(Raiser &r, mlir::Value root,
                                           mlir::Value &leaf);

/// Registers the patterns of each family on a raiser.
void addNormPatterns(llvm::StringMap<llvm::SmallVector<Pattern>> &patterns);
void addLinearPatterns(llvm::StringMap<llvm::SmallVector<Pattern>> &patterns);
void addAttentionPatterns(
    llvm::StringMap<llvm::SmallVector<Pattern>> &patterns);
void addActivationPatterns(
    llvm::StringMap<llvm::SmallVector<Pattern>> &patterns);

} // namespace llmc::raising

#endif // LLMC_PASSES_RAISING_RAISER_H
