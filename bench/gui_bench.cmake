# gui_bench: the workbench window under load (see gui_bench.cpp). Needs the GUI.
if(ATTNSCOPE_BUILD_GUI)
    add_executable(gui_bench ${CMAKE_CURRENT_SOURCE_DIR}/gui_bench.cpp ${CMAKE_CURRENT_SOURCE_DIR}/gui_bench_training.cpp
                             ${CMAKE_CURRENT_SOURCE_DIR}/gui_bench_plot.cpp ${CMAKE_CURRENT_SOURCE_DIR}/gui_bench_open.cpp
                             ${CMAKE_CURRENT_SOURCE_DIR}/gui_bench_session.cpp)
    target_link_libraries(gui_bench PRIVATE attnscope_ui)
endif()
