# Layers, bottom-up, as layer:rank. A module's headers are found through its layer's include root
# (build/<dir>/layers/<layer>/), which holds symlinks to src/<layer> and to the layers of a lower
# rank only, so an include that runs up the layers fails to compile. vpn and services share a rank
# and do not see each other. (Generated headers stay in one folder: protobuf_generate writes them
# flat, and only the .cpp of their module includes them.)
set(EDGEVPN_LAYERS util:0 crypto:1 p2p:2 ledger:3 vpn:4 services:4 api:5 node:6 cli:7)
set(EDGEVPN_TOP_LAYER cli)  # the root that interop tests, fuzz targets and benchmarks get
set(EDGEVPN_LAYER_DIR ${CMAKE_BINARY_DIR}/layers)
foreach(entry ${EDGEVPN_LAYERS})
  string(REPLACE ":" ";" entry ${entry})
  list(GET entry 0 layer)
  list(GET entry 1 rank)
  file(MAKE_DIRECTORY ${EDGEVPN_LAYER_DIR}/${layer})
  foreach(other ${EDGEVPN_LAYERS})
    string(REPLACE ":" ";" other ${other})
    list(GET other 0 other_layer)
    list(GET other 1 other_rank)
    if(other_layer STREQUAL layer OR other_rank LESS rank)
      file(CREATE_LINK ${CMAKE_SOURCE_DIR}/src/${other_layer} ${EDGEVPN_LAYER_DIR}/${layer}/${other_layer}
           SYMBOLIC)
    endif()
  endforeach()
  # Debug info, __FILE__ and sanitizer reports name the files under src/, not the symlinks.
  add_compile_options(-ffile-prefix-map=${EDGEVPN_LAYER_DIR}/${layer}/=${CMAKE_SOURCE_DIR}/src/)
endforeach()

# edgevpn_layer_includes(<target> <layer> PUBLIC|PRIVATE|INTERFACE): the include roots of <layer>.
function(edgevpn_layer_includes target layer scope)
  target_include_directories(${target} ${scope} ${EDGEVPN_LAYER_DIR}/${layer} ${CMAKE_SOURCE_DIR}/include
                                                ${CMAKE_BINARY_DIR}/generated)
endfunction()

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
  # The module's layer is its first folder under src/.
  file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR})
  string(REGEX REPLACE "/.*" "" layer ${rel})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(sources OR M_PROTOS)
    add_library(${target} STATIC ${sources})
    edgevpn_layer_includes(${target} ${layer} PUBLIC)
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
    edgevpn_layer_includes(${target} ${layer} INTERFACE)
    target_link_libraries(${target} INTERFACE ${M_DEPS})
  endif()

  if(EDGEVPN_TESTS AND NOT EDGEVPN_FUZZ)
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
