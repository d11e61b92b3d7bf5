# Project-wide compiler settings. Warnings are applied per target through
# alpaca_set_warnings() so that third-party and generated code (ANTLR output)
# can be compiled without them; sanitizers apply to everything so that the
# runtime and its tests are instrumented alike.

if(ALPACA_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

function(alpaca_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
                         -Wshadow -Wnon-virtual-dtor -Wold-style-cast
                         -Wcast-align -Woverloaded-virtual)
endfunction()
