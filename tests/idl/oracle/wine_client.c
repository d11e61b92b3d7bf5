/* wine_client: MsUnions.idl's client, built with widl and winegcc, run
 * under Wine: Wine's rpcrt4 (which interoperates with Windows) marshals
 * each union, alpaca's oracle_server decodes it and sends it back, and
 * Wine decodes alpaca's answer. A union alpaca lays out differently fails
 * here: alpaca refuses Wine's bytes (an RPC fault), or one side reads a
 * value the other did not write.
 * usage: wine64 wine_client.exe.so PORT */
#include <rpc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <wine/exception.h>

#include "MsUnions.h"

void* __RPC_USER MIDL_user_allocate(SIZE_T n) { return malloc(n); }
void __RPC_USER MIDL_user_free(void* p) { free(p); }

static int checks, failures;

static void check(const char* what, int ok) {
  printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  ++checks;
  if (!ok) ++failures;
}

static const char kLead = 'L';
static LONG pointee = 0x7abbccdd;

/* The value each arm of ByShort carries in these tests. */
static void fill_by_short(short kind, ByShort* u) {
  memset(u, 0, sizeof(*u));
  switch (kind) {
    case 1:
      u->c = (char)0xfe;
      break;
    case 2:
      u->s = -1;
      break;
    case 3:
      u->l = 0x11223344;
      break;
    case 4:
      u->h = 0x0102030405060708LL;
      break;
    case 5:
      u->pair.c = 'P';
      u->pair.l = 0x55667788;
      break;
    case 6:
      u->p = &pointee;
      break;
    default:
      break;
  }
}

static int same_by_short(short kind, const ByShort* a, const ByShort* b) {
  switch (kind) {
    case 1:
      return a->c == b->c;
    case 2:
      return a->s == b->s;
    case 3:
      return a->l == b->l;
    case 4:
      return a->h == b->h;
    case 5:
      return a->pair.c == b->pair.c && a->pair.l == b->pair.l;
    case 6:
      return b->p != NULL && *b->p == *a->p;
    default:
      return 1;
  }
}

static void by_short(handle_t h) {
  short kind;
  for (kind = 1; kind <= 7; ++kind) {
    char what[64];
    ByShort value, echo;
    char tail = 0;
    fill_by_short(kind, &value);
    memset(&echo, 0, sizeof(echo));
    snprintf(what, sizeof(what), "ByShort case %d", kind);
    __TRY {
      EchoByShort(h, kLead, kind, &value, &echo, &tail);
      check(what, same_by_short(kind, &value, &echo) && tail == kLead);
      if (kind == 6) MIDL_user_free(echo.p);
    }
    __EXCEPT_ALL {
      printf("FAIL %s: RPC exception %lu\n", what, (unsigned long)GetExceptionCode());
      ++checks;
      ++failures;
    }
    __ENDTRY
  }
}

static void by_char(handle_t h) {
  char kind;
  for (kind = 1; kind <= 3; ++kind) {
    char what[64];
    ByChar value, echo;
    char tail = 0;
    memset(&value, 0, sizeof(value));
    memset(&echo, 0, sizeof(echo));
    if (kind == 1) value.c = 'c';
    if (kind == 2) value.h = -2;
    snprintf(what, sizeof(what), "ByChar case %d", kind);
    __TRY {
      EchoByChar(h, kLead, kind, &value, &echo, &tail);
      check(what,
            (kind != 1 || echo.c == value.c) && (kind != 2 || echo.h == value.h) && tail == kLead);
    }
    __EXCEPT_ALL {
      printf("FAIL %s: RPC exception %lu\n", what, (unsigned long)GetExceptionCode());
      ++checks;
      ++failures;
    }
    __ENDTRY
  }
}

static void by_long(handle_t h) {
  static const LONG kinds[] = {1, 2, 4, 99};
  unsigned i;
  for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); ++i) {
    LONG kind = kinds[i];
    char what[64];
    ByLong value, echo;
    char tail = 0;
    memset(&value, 0, sizeof(value));
    memset(&echo, 0, sizeof(echo));
    if (kind == 1) value.c = 'x';
    if (kind == 2) value.s = 0x1234;
    if (kind == 4) value.h = 0x1122334455667788LL;
    snprintf(what, sizeof(what), "ByLong case %ld", (long)kind);
    __TRY {
      EchoByLong(h, kLead, kind, &value, &echo, &tail);
      check(what, (kind != 1 || echo.c == value.c) && (kind != 2 || echo.s == value.s) &&
                      (kind != 4 || echo.h == value.h) && tail == kLead);
    }
    __EXCEPT_ALL {
      printf("FAIL %s: RPC exception %lu\n", what, (unsigned long)GetExceptionCode());
      ++checks;
      ++failures;
    }
    __ENDTRY
  }
}

static void by_level(handle_t h) {
  static const Level levels[] = {ZERO, ONE, TWO, FOUR, EIGHT};
  unsigned i;
  for (i = 0; i < sizeof(levels) / sizeof(levels[0]); ++i) {
    Level level = levels[i];
    char what[64];
    ByLevel value, echo;
    char tail = 0;
    memset(&value, 0, sizeof(value));
    memset(&echo, 0, sizeof(echo));
    if (level == ONE) value.c = (char)0xff;
    if (level == TWO) value.s = -2;
    if (level == FOUR) value.l = -3;
    if (level == EIGHT) value.h = -4;
    snprintf(what, sizeof(what), "ByLevel case %d", (int)level);
    __TRY {
      EchoByLevel(h, kLead, level, &value, &echo, &tail);
      check(what, (level != ONE || echo.c == value.c) && (level != TWO || echo.s == value.s) &&
                      (level != FOUR || echo.l == value.l) &&
                      (level != EIGHT || echo.h == value.h) && tail == kLead);
    }
    __EXCEPT_ALL {
      printf("FAIL %s: RPC exception %lu\n", what, (unsigned long)GetExceptionCode());
      ++checks;
      ++failures;
    }
    __ENDTRY
  }
}

static void encapsulated(handle_t h) {
  static const Level levels[] = {ZERO, ONE, TWO, FOUR, EIGHT};
  unsigned i;
  for (i = 0; i < sizeof(levels) / sizeof(levels[0]); ++i) {
    char what[64];
    Encapsulated value, echo;
    char tail = 0;
    memset(&value, 0, sizeof(value));
    memset(&echo, 0, sizeof(echo));
    value.level = levels[i];
    if (value.level == ONE) value.arm.c = (char)0xff;
    if (value.level == TWO) value.arm.s = -2;
    if (value.level == FOUR) value.arm.l = -3;
    if (value.level == EIGHT) value.arm.h = -4;
    snprintf(what, sizeof(what), "Encapsulated case %d", (int)value.level);
    __TRY {
      EchoEncapsulated(h, (hyper)kLead, &value, &echo, &tail);
      check(what, echo.level == value.level && (value.level != ONE || echo.arm.c == value.arm.c) &&
                      (value.level != TWO || echo.arm.s == value.arm.s) &&
                      (value.level != FOUR || echo.arm.l == value.arm.l) &&
                      (value.level != EIGHT || echo.arm.h == value.arm.h) && tail == kLead);
    }
    __EXCEPT_ALL {
      printf("FAIL %s: RPC exception %lu\n", what, (unsigned long)GetExceptionCode());
      ++checks;
      ++failures;
    }
    __ENDTRY
  }
}

static void holder(handle_t h) {
  short kind;
  for (kind = 1; kind <= 7; ++kind) {
    char what[64];
    Holder value, echo;
    char tail = 0;
    memset(&value, 0, sizeof(value));
    memset(&echo, 0, sizeof(echo));
    value.kind = kind;
    /* HeldByLong has ByShort's arms (MsUnions.idl says why): the same C layout. */
    fill_by_short(kind, (ByShort*)&value.value);
    value.after = 'A';
    snprintf(what, sizeof(what), "Holder case %d", kind);
    __TRY {
      EchoHolder(h, kLead, &value, &echo, &tail);
      check(what, echo.kind == kind &&
                      same_by_short(kind, (ByShort*)&value.value, (ByShort*)&echo.value) &&
                      echo.after == 'A' && tail == kLead);
      if (kind == 6) MIDL_user_free(echo.value.p);
    }
    __EXCEPT_ALL {
      printf("FAIL %s: RPC exception %lu\n", what, (unsigned long)GetExceptionCode());
      ++checks;
      ++failures;
    }
    __ENDTRY
  }
}

int main(int argc, char** argv) {
  RPC_CSTR text = NULL;
  handle_t h = NULL;
  RPC_STATUS status;
  if (argc != 2) {
    fprintf(stderr, "usage: wine_client PORT\n");
    return 2;
  }
  status = RpcStringBindingComposeA(NULL, (RPC_CSTR) "ncacn_ip_tcp", (RPC_CSTR) "127.0.0.1",
                                    (RPC_CSTR)argv[1], NULL, &text);
  if (status == RPC_S_OK) status = RpcBindingFromStringBindingA(text, &h);
  if (status != RPC_S_OK) {
    printf("FAIL binding: status %ld\n", (long)status);
    return 1;
  }
  by_short(h);
  by_char(h);
  by_long(h);
  by_level(h);
  encapsulated(h);
  holder(h);
  RpcStringFreeA(&text);
  RpcBindingFree(&h);
  printf("%d checks, %d failures\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
