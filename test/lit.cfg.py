# lit configuration for llmc: the IR tests (.mlir) and the tool tests (.test).
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "llmc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "unittests", "Inputs", "fixtures"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.llmc_obj_root, "test")

llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.use_default_substitutions()

config.substitutions.append(("%llmc_lib_dir", config.llmc_lib_dir))
config.substitutions.append(("%llmc_src", config.llmc_source_root))
config.substitutions.append(("%llmc_python", config.llmc_test_python))

# The project's tools come first, then LLVM's (FileCheck, not, llvm-readelf).
llvm_config.add_tool_substitutions(["llmc-opt", "llmc"],
                                   [config.llmc_tools_dir])
llvm_config.with_environment("PATH", config.llmc_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

if config.llmc_have_cuda:
    config.available_features.add("cuda")
