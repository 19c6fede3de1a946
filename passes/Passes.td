//===- Passes.td - llmc passes ------------------------------*- tablegen -*-===//
//
// Every llmc pass, by family. Flags carry the `llmc-` prefix; each pass has
// a lit test named after it under test/passes/<family>/.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_PASSES_PASSES_TD
#define LLMC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def FuseAddRmsNorm : Pass<"llmc-fuse-add-rms-norm"> {
  let summary = "Fuses a residual add into the RMS norm that reads it";
  let description = [{
    Rewrites `llm.rms_norm(llm.add(a, b))` into one `llm.add_rms_norm(a, b)`,
    whose second result, the sum, replaces every other use of the add (it is
    the residual the next block adds to). One kernel then reads both inputs
    once and writes the sum and the normalized value, instead of two kernels
    and a round trip of the sum through memory.

    ```mlir
    %s = llm.add %x, %r : tensor<?x64xf32>
    %y = llm.rms_norm %s, %w {epsilon = 1.0e-05 : f64} : tensor<?x64xf32>, tensor<64xf32>
    // becomes
    %y, %s = llm.add_rms_norm %x, %r, %w {epsilon = 1.0e-05 : f64} : tensor<?x64xf32>, tensor<64xf32>
    ```
  }];
  let dependentDialects = ["::llmc::llm::LlmDialect"];
}

#endif // LLMC_PASSES_PASSES_TD
