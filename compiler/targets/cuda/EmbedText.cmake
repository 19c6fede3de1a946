# Writes each file of INPUTS (a |-separated list) to OUTPUT as an entry
# {"file name", R"(text)"} of a C++ array initializer.
file(WRITE ${OUTPUT} "")
string(REPLACE "|" ";" INPUTS "${INPUTS}")
foreach(input ${INPUTS})
  get_filename_component(name ${input} NAME)
  file(READ ${input} text)
  file(APPEND ${OUTPUT} "{\"${name}\", R\"llmc_kernels(${text})llmc_kernels\"},\n")
endforeach()
