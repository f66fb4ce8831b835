# cmake -DSRC=<source dir> -DOUT=<header> -P source_stamp.cmake
# Writes OUT, a header naming the commit the benchmark is built from (and
# whether core/ or bench/ had uncommitted changes then), rewritten only when
# that changes: bench_step reports it, so a figure names the code it measured
# even when the binary was built, or copied, at another time than HEAD's.
execute_process(COMMAND git -C "${SRC}" rev-parse --short HEAD
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR commit STREQUAL "")
    set(commit "unknown (no git checkout)")
else()
    execute_process(COMMAND git -C "${SRC}" status --porcelain -- core bench
                    OUTPUT_VARIABLE changes ERROR_QUIET)
    if(NOT changes STREQUAL "")
        string(APPEND commit " with uncommitted changes in core/ or bench/")
    endif()
endif()
file(WRITE "${OUT}.new" "#define ATTNSCOPE_BENCH_SOURCE \"${commit}\"\n")
file(COPY_FILE "${OUT}.new" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.new")
