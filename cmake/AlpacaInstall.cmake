# Install rules and the CMake package (lib/cmake/alpaca): libraries, public
# headers under include/alpaca/<library>/, idlc,
# alpaca_add_idl().
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(alpaca_exported alpaca_base alpaca_ndr alpaca_dcerpc alpaca_transport alpaca_lpc alpaca_lpc_asio
    alpaca_ncalrpc alpaca_co_stream alpaca_tcp alpaca_unix_stream alpaca_default_transports
    alpaca_rpc)
foreach(t IN LISTS alpaca_exported)
  string(REPLACE "alpaca_" "" export_name ${t})
  set_target_properties(${t} PROPERTIES EXPORT_NAME ${export_name})
endforeach()
if(TARGET idlc)
  set_target_properties(idlc PROPERTIES EXPORT_NAME idlc)
  list(APPEND alpaca_exported idlc)
endif()
install(TARGETS ${alpaca_exported} EXPORT alpacaTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Each library's public root (include/alpaca/<lib>/); the internal headers
# beside the sources are not installed.
foreach(dir runtime/base runtime/ndr runtime/dcerpc runtime/transport runtime/rpc transports/lpc
            transports/lpc/ncalrpc transports/stream transports/tcp transports/unix
            transports/default)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()
install(EXPORT alpacaTargets NAMESPACE alpaca:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/alpaca)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/alpacaConfig.cmake.in
  ${PROJECT_BINARY_DIR}/alpacaConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/alpaca)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/alpacaConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/alpacaConfig.cmake ${PROJECT_BINARY_DIR}/alpacaConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/AlpacaIdl.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/alpaca)
