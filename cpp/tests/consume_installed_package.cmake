# ctest's installed_package_consumer: `cmake --install` of the build into WORK_DIR/staging, moved
# to WORK_DIR/moved (nothing in the package may point back at where it was installed), then
# examples/cpp configured with find_package(instaug CONFIG) against the moved prefix, built and run
# on the bundled image - once finding OpenCV by its headers and libraries (Debian), once through an
# OpenCV CMake package (as conda, Homebrew and vcpkg provide; here a minimal one over the same
# libraries).
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "failed (${code}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

# Builds and runs the example in WORK_DIR/<name>; the configure output must say how OpenCV was found.
function(consume name found_by)
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/cpp -B ${WORK_DIR}/${name} -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${WORK_DIR}/moved ${ARGN})
  if(NOT last_output MATCHES "${found_by}")
    message(FATAL_ERROR "${name}: OpenCV was not found ${found_by}")
  endif()
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/${name})
  run(${WORK_DIR}/${name}/letterbox_detector ${SOURCE_DIR}/examples/cpp/letterbox.json ${SOURCE_DIR}/data/coins.png
      ${WORK_DIR}/${name}/network_input.png)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --component cpp --prefix ${WORK_DIR}/staging --config ${CONFIG})
file(RENAME ${WORK_DIR}/staging ${WORK_DIR}/moved)
consume(build "from its headers and libraries")

# A minimal OpenCV package: imported targets named as OpenCV's own, over the libraries found above.
file(MAKE_DIRECTORY ${WORK_DIR}/opencv-package)
file(WRITE ${WORK_DIR}/opencv-package/OpenCVConfig.cmake [=[
set(OpenCV_VERSION 4)
find_path(_header opencv2/core.hpp PATH_SUFFIXES opencv4)
set(OpenCV_INCLUDE_DIRS ${_header})
foreach(_module core imgproc imgcodecs photo)
  find_library(_library_${_module} opencv_${_module})
  add_library(opencv_${_module} SHARED IMPORTED)
  set_target_properties(opencv_${_module} PROPERTIES IMPORTED_LOCATION ${_library_${_module}}
                        INTERFACE_INCLUDE_DIRECTORIES ${_header})
endforeach()
set(OpenCV_LIBS opencv_core opencv_imgproc opencv_imgcodecs opencv_photo)
set(OpenCV_FOUND TRUE)
]=])
consume(build-with-package "from its CMake package" -DOpenCV_DIR=${WORK_DIR}/opencv-package)
