# alpaca_add_idl([TARGET] <target> IDL <file.idl>
#                [NAMESPACE <c++ namespace>]
#                [INCLUDE_DIRS <dir>...] [DEFINES <NAME[=VALUE]>...])
#
# Runs idlc on <file.idl> at build time and makes <target>, a static
# library of the generated C++ (types, NDR codecs, client proxies, server
# stubs) linked to alpaca::rpc. Its include directory holds
# <stem>_types.h, <stem>_client.h and <stem>_server.h. Imported IDL files
# are tracked through idlc's depfile, so editing one regenerates.
# Works in alpaca's own tree and from an installed alpaca (find_package).
# Parsed imports are shared between the IDL files of a build through idlc's
# import cache (docs/idlc.md) in ALPACA_IDLC_IMPORT_CACHE; set it empty to
# parse every import in every run.
set(ALPACA_IDLC_IMPORT_CACHE "${CMAKE_BINARY_DIR}/idlc-import-cache" CACHE PATH
    "Directory of idlc's import cache for alpaca_add_idl (empty: no cache)")

function(alpaca_add_idl first)
  # Both alpaca_add_idl(name IDL ...) and alpaca_add_idl(TARGET name IDL ...).
  if(first STREQUAL "TARGET")
    cmake_parse_arguments(PARSE_ARGV 2 ARG "" "IDL;NAMESPACE" "INCLUDE_DIRS;DEFINES")
    set(target ${ARGV1})
  else()
    cmake_parse_arguments(PARSE_ARGV 1 ARG "" "IDL;NAMESPACE" "INCLUDE_DIRS;DEFINES")
    set(target ${first})
  endif()
  if(NOT ARG_IDL)
    message(FATAL_ERROR "alpaca_add_idl(${target}): IDL <file.idl> is required")
  endif()
  get_filename_component(idl "${ARG_IDL}" ABSOLUTE)
  get_filename_component(stem "${idl}" NAME_WE)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_idl")
  set(headers "${out}/${stem}_types.h" "${out}/${stem}_ndr.h" "${out}/${stem}_client.h"
              "${out}/${stem}_server.h")
  set(sources "${out}/${stem}_ndr.cc" "${out}/${stem}_client.cc" "${out}/${stem}_server.cc")
  set(args --emit=cpp -o "${out}" --depfile "${out}/${stem}.d")
  if(ALPACA_IDLC_IMPORT_CACHE)
    list(APPEND args --import-cache "${ALPACA_IDLC_IMPORT_CACHE}")
  endif()
  if(ARG_NAMESPACE)
    list(APPEND args --cpp-namespace "${ARG_NAMESPACE}")
  endif()
  foreach(dir IN LISTS ARG_INCLUDE_DIRS)
    get_filename_component(dir "${dir}" ABSOLUTE)
    list(APPEND args -I "${dir}")
  endforeach()
  foreach(define IN LISTS ARG_DEFINES)
    list(APPEND args -D "${define}")
  endforeach()
  add_custom_command(
    OUTPUT ${headers} ${sources}
    COMMAND alpaca::idlc ${args} "${idl}"
    DEPENDS "${idl}" alpaca::idlc
    DEPFILE "${out}/${stem}.d"
    COMMENT "idlc: generating C++ from ${stem}.idl"
    VERBATIM)
  add_library(${target} STATIC ${sources} ${headers})
  target_include_directories(${target} PUBLIC "${out}")
  target_link_libraries(${target} PUBLIC alpaca::rpc)
  target_compile_features(${target} PUBLIC cxx_std_20)
endfunction()
