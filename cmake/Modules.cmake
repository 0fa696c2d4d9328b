# edgevpn_module(NAME <name> [DEPS <targets...>] [PROTOS <files...>] [IO] [TEST_DEPS <targets...>])
#
# Declares the library `edgevpn_<name>` from the sources of the calling folder and, when
# tests/unit/<same relative path>/ holds *_test.cpp files, the test executable `test_<name>`.
# Modules marked IO (sockets, asio, threads, TUN, HTTP) are skipped in the fuzz build, which
# compiles only the I/O-free protocol cores.
function(edgevpn_module)
  cmake_parse_arguments(M "IO" "NAME" "DEPS;PROTOS;TEST_DEPS" ${ARGN})
  if(EDGEVPN_FUZZ AND M_IO)
    return()
  endif()
  set(target edgevpn_${M_NAME})
  set_property(GLOBAL APPEND PROPERTY EDGEVPN_ALL_LIBS ${target})
  if(NOT M_IO)
    set_property(GLOBAL APPEND PROPERTY EDGEVPN_CORE_LIBS ${target})
  endif()
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(sources OR M_PROTOS)
    add_library(${target} STATIC ${sources})
    target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/include
                                                ${CMAKE_BINARY_DIR}/generated)
    target_link_libraries(${target} PUBLIC ${M_DEPS})
    if(M_PROTOS)
      set(proto_out ${CMAKE_BINARY_DIR}/generated)
      file(MAKE_DIRECTORY ${proto_out})
      protobuf_generate(TARGET ${target} LANGUAGE cpp PROTOS ${M_PROTOS}
                        IMPORT_DIRS ${CMAKE_SOURCE_DIR}/src PROTOC_OUT_DIR ${proto_out})
      target_link_libraries(${target} PUBLIC protobuf::libprotobuf)
    endif()
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/include
                                                   ${CMAKE_BINARY_DIR}/generated)
    target_link_libraries(${target} INTERFACE ${M_DEPS})
  endif()

  if(EDGEVPN_TESTS AND NOT EDGEVPN_FUZZ)
    file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR})
    file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/${rel}/*_test.cpp)
    if(tests)
      add_executable(test_${M_NAME} ${tests})
      target_link_libraries(test_${M_NAME} PRIVATE ${target} ${M_TEST_DEPS} GTest::gtest GTest::gtest_main
                                                   GTest::gmock)
      target_compile_definitions(test_${M_NAME} PRIVATE
                                 EDGEVPN_VECTORS_DIR="${CMAKE_SOURCE_DIR}/tests/vectors")
      gtest_discover_tests(test_${M_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300 LABELS unit)
    endif()
  endif()
endfunction()

# edgevpn_subdirs(): add every subfolder of the calling folder that has a CMakeLists.txt,
# in the order given (modules must come after the modules they depend on).
macro(edgevpn_subdirs)
  foreach(sub ${ARGN})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${sub}/CMakeLists.txt)
      add_subdirectory(${sub})
    endif()
  endforeach()
endmacro()
