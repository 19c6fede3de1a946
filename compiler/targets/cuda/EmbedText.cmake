# Writes INPUT as a C++ raw string literal to OUTPUT.
file(READ ${INPUT} text)
file(WRITE ${OUTPUT} "R\"llmc_kernels(${text})llmc_kernels\"\n")
