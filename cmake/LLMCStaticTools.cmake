# Static LLVM/MLIR for LLMC_STATIC_TOOLS, included by the root CMakeLists.txt
# after find_package(MLIR) and include(AddMLIR).
#
# Debian builds MLIR's static archives against libLLVM.so: MLIRTargets.cmake
# names the shared target LLVM as their LLVM dependency. This points them at
# an interface target, LLMCLLVMStatic, that links every static LLVM component
# instead; the linker takes only the archive members that are used. Left out:
# the few components (and those that depend on them) that need libLLVM.so
# themselves or a library that is not installed here, e.g. libpfm for
# LLVMExegesis or Polly's archives.

set(MLIR_LINK_MLIR_DYLIB OFF)

# LLVMSupport names zstd, whose -dev package need not be installed.
if(NOT TARGET zstd::libzstd_shared)
  find_library(LLMC_ZSTD_LIBRARY NAMES zstd libzstd.so.1 REQUIRED)
  add_library(zstd::libzstd_shared SHARED IMPORTED)
  set_target_properties(zstd::libzstd_shared PROPERTIES
    IMPORTED_LOCATION ${LLMC_ZSTD_LIBRARY})
endif()

# Sets ${out} to ON when the static library ${lib} and everything it links
# can be linked here without libLLVM.so.
function(llmc_static_llvm_usable lib out)
  get_property(known GLOBAL PROPERTY LLMC_STATIC_USABLE_${lib} SET)
  if(known)
    get_property(usable GLOBAL PROPERTY LLMC_STATIC_USABLE_${lib})
    set(${out} ${usable} PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY LLMC_STATIC_USABLE_${lib} ON) # ends cycles
  set(usable OFF)
  if(TARGET ${lib})
    get_target_property(type ${lib} TYPE)
    if(type STREQUAL "STATIC_LIBRARY")
      get_target_property(location ${lib} LOCATION)
      if(EXISTS "${location}") # some archives are in packages not installed
        set(usable ON)
      endif()
    endif()
  endif()
  if(usable)
    get_target_property(deps ${lib} INTERFACE_LINK_LIBRARIES)
    if(NOT deps)
      set(deps "")
    endif()
    foreach(dep ${deps})
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" dep "${dep}")
      if(dep STREQUAL "LLVM")
        set(usable OFF)
      elseif(TARGET ${dep})
        get_target_property(dep_type ${dep} TYPE)
        if(dep_type STREQUAL "STATIC_LIBRARY")
          llmc_static_llvm_usable(${dep} dep_usable)
          if(NOT dep_usable)
            set(usable OFF)
          endif()
        endif()
      elseif(dep MATCHES "::")
        set(usable OFF) # a package that is not installed
      elseif(IS_ABSOLUTE "${dep}")
        if(NOT EXISTS "${dep}")
          set(usable OFF)
        endif()
      elseif(NOT dep MATCHES "^(\\$<|-)")
        find_library(LLMC_SYSTEM_LIB_${dep} ${dep})
        if(NOT LLMC_SYSTEM_LIB_${dep})
          set(usable OFF)
        endif()
      endif()
    endforeach()
  endif()
  set_property(GLOBAL PROPERTY LLMC_STATIC_USABLE_${lib} ${usable})
  set(${out} ${usable} PARENT_SCOPE)
endfunction()

add_library(LLMCLLVMStatic INTERFACE)
foreach(lib ${LLVM_AVAILABLE_LIBS})
  llmc_static_llvm_usable(${lib} usable)
  if(usable)
    target_link_libraries(LLMCLLVMStatic INTERFACE ${lib})
  endif()
endforeach()

get_directory_property(imported IMPORTED_TARGETS)
foreach(target ${imported})
  get_target_property(deps ${target} INTERFACE_LINK_LIBRARIES)
  if(deps)
    list(TRANSFORM deps REPLACE "^LLVM$" LLMCLLVMStatic)
    list(TRANSFORM deps REPLACE "^\\$<LINK_ONLY:LLVM>$"
         "$<LINK_ONLY:LLMCLLVMStatic>")
    set_target_properties(${target} PROPERTIES
      INTERFACE_LINK_LIBRARIES "${deps}")
  endif()
endforeach()
