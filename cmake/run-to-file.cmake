# Runs PROGRAM with ARGS (a ,-list) and writes its standard output to OUT: the man page and the shell completion
# scripts are made by the built gpuenv at build time. Fails when the program does.
string(REPLACE "," ";" ARGS "${ARGS}")
string(REPLACE "," ";" EMULATOR "${EMULATOR}")  # empty, or the emulator and its arguments
set(ENV{ASAN_OPTIONS} "detect_leaks=0")  # a sanitizer build: LeakSanitizer does not run everywhere (ptrace, containers)
execute_process(COMMAND ${EMULATOR} ${PROGRAM} ${ARGS} OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${PROGRAM} ${ARGS}: exit status ${rc}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
