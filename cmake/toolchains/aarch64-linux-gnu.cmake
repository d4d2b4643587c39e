# Cross-compiling for 64-bit Arm Linux with Debian's cross toolchain (g++-aarch64-linux-gnu); the
# tests run under qemu's user-mode emulator (qemu-user-static). `make cpp-test-arm64` uses it:
#
#   cmake -S . -B build/arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake \
#         [-DINSTAUG_AARCH64_ROOT=/path/to/arm64/tree]
#
# Libraries come from INSTAUG_AARCH64_ROOT when given (an unpacked arm64 tree, as
# scripts/arm64_deps.sh makes), else from Debian's multiarch directories (/usr/lib/aarch64-linux-gnu,
# packages installed as libfoo-dev:arm64), next to the cross toolchain's own /usr/aarch64-linux-gnu.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# find_library then looks in <prefix>/lib/aarch64-linux-gnu, never in the host's x86_64 directories.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# try_compile projects read this file again; they must see the same tree.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES INSTAUG_AARCH64_ROOT)
set(_instaug_aarch64_roots /usr/aarch64-linux-gnu)
set(_instaug_aarch64_emulator_root /usr/aarch64-linux-gnu)
if(INSTAUG_AARCH64_ROOT)
  list(PREPEND _instaug_aarch64_roots ${INSTAUG_AARCH64_ROOT})
  set(_instaug_aarch64_emulator_root ${INSTAUG_AARCH64_ROOT})
  # The linker resolves the libraries OpenCV's own libraries need (GDAL, ...) in the tree too.
  foreach(_dir usr/lib/aarch64-linux-gnu lib/aarch64-linux-gnu usr/lib)
    string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT " -Wl,-rpath-link,${INSTAUG_AARCH64_ROOT}/${_dir}")
    string(APPEND CMAKE_SHARED_LINKER_FLAGS_INIT " -Wl,-rpath-link,${INSTAUG_AARCH64_ROOT}/${_dir}")
  endforeach()
endif()
# "/" last: the architecture-independent headers and CMake packages the host provides (doctest,
# nlohmann-json, OpenCV's headers) and the multiarch arm64 libraries; the host's x86 libraries stay
# out because of CMAKE_LIBRARY_ARCHITECTURE and, should a hint name them, CMAKE_IGNORE_PATH.
set(CMAKE_FIND_ROOT_PATH ${_instaug_aarch64_roots} /)
set(CMAKE_IGNORE_PATH /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/include/x86_64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# ctest (and anything else that runs a built program) goes through qemu; -L makes the tree the
# programs' / for the dynamic loader and the libraries it loads.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L ${_instaug_aarch64_emulator_root})
