# ctest's installed_package_consumer: `cmake --install` of the build into WORK_DIR/staging, moved
# to WORK_DIR/moved (nothing in the package may point back at where it was installed), then
# examples/cpp configured with find_package(instaug CONFIG) against the moved prefix, built and run
# on the bundled image.
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "failed (${code}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --component cpp --prefix ${WORK_DIR}/staging --config ${CONFIG})
file(RENAME ${WORK_DIR}/staging ${WORK_DIR}/moved)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/cpp -B ${WORK_DIR}/build -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${WORK_DIR}/moved)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/letterbox_detector ${SOURCE_DIR}/examples/cpp/letterbox.json ${SOURCE_DIR}/data/coins.png
    ${WORK_DIR}/network_input.png)
