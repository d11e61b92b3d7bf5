# alpaca_add_present_subdirs(a b c): add each listed subdirectory that has a
# CMakeLists.txt. Lets components of one layer be developed side by side
# without a half-written sibling breaking the configure step.
function(alpaca_add_present_subdirs)
  foreach(sub IN LISTS ARGN)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${sub}/CMakeLists.txt)
      add_subdirectory(${sub})
    endif()
  endforeach()
endfunction()
