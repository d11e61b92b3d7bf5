# Unit tests that sit beside the code they test.
add_executable(lpc_unit_tests lpc/section_test.cc lpc/port_message_test.cc lpc/port_name_test.cc)
target_link_libraries(lpc_unit_tests PRIVATE alpaca::lpc GTest::gtest_main)
alpaca_set_warnings(lpc_unit_tests)
gtest_discover_tests(lpc_unit_tests DISCOVERY_TIMEOUT 30 PROPERTIES LABELS lpc)
