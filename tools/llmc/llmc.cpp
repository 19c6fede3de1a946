//===- llmc.cpp - the llmc command ----------------------------------------===//

#include "compiler/driver/Driver.h"

int main(int argc, char **argv) { return llmc::runLlmcMain(argc, argv); }
