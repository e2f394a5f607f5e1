# Typed Kafka messages (broker/messages/README.md): one definition per API in
# broker/messages/defs/, turned into C++ at build time by generate.py.
# Included from broker/CMakeLists.txt; adds the generated sources to sluice_broker.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
file(GLOB SLUICE_MESSAGE_DEFS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/messages/defs/*.def)
set(SLUICE_MESSAGES_OUT ${CMAKE_BINARY_DIR}/generated)
set(SLUICE_MESSAGE_SOURCES)
foreach(def ${SLUICE_MESSAGE_DEFS})
  get_filename_component(api ${def} NAME_WE)
  set(out ${SLUICE_MESSAGES_OUT}/broker/messages/${api})
  add_custom_command(
    OUTPUT ${out}.h ${out}.cc ${out}_fill.h
    COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/messages/generate.py ${def} ${SLUICE_MESSAGES_OUT}
    DEPENDS ${def} ${CMAKE_CURRENT_SOURCE_DIR}/messages/generate.py
    COMMENT "Generating broker/messages/${api}"
    VERBATIM)
  list(APPEND SLUICE_MESSAGE_SOURCES ${out}.h ${out}.cc)
endforeach()
target_sources(sluice_broker PRIVATE ${SLUICE_MESSAGE_SOURCES})
target_include_directories(sluice_broker PUBLIC ${SLUICE_MESSAGES_OUT})
