// The C side of the bridge: the trampoline that raises Lua errors on behalf of Swift callbacks,
// the SIGINT handler, and the traceback message handler.
#include "CLua.h"
#include <stddef.h>
#include <stdio.h>
#include <signal.h>
#include <unistd.h>

static clua_dispatcher dispatcher = NULL;

void clua_set_dispatcher(clua_dispatcher d) { dispatcher = d; }

int clua_trampoline(lua_State *L) {
  lua_Integer binding = lua_tointegerx(L, lua_upvalueindex(1), NULL);
  int n = dispatcher(L, binding);
  if (n >= 0) return n;
  // The Swift frame has returned: raising here unwinds C and Lua frames only.
  if (n <= CLUA_RAISE_ARG) {
    int arg = CLUA_RAISE_ARG - n;
    return luaL_argerror(L, arg, lua_tostring(L, -1));
  }
  if (n == CLUA_RAISE && lua_type(L, -1) == LUA_TSTRING) {
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  return lua_error(L);
}

void clua_pushbinding(lua_State *L, lua_Integer binding) {
  lua_pushinteger(L, binding);
  lua_pushcclosure(L, clua_trampoline, 1);
}

void clua_pushbinding_upvalues(lua_State *L, lua_Integer binding, int n) {
  lua_pushinteger(L, binding);
  lua_insert(L, -n - 1);
  lua_pushcclosure(L, clua_trampoline, n + 1);
}

// ---- Interruption, after lua.c --------------------------------------------------------------
static volatile sig_atomic_t interrupted = 0;
static lua_State *volatile interruptible = NULL;

static void stop_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

void clua_interrupt(lua_State *L) {
  interrupted = 1;
  if (L != NULL) {
    int mask = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
    lua_sethook(L, stop_hook, mask, 1);
  }
}

static void (*previous_handler)(int) = SIG_DFL;

static void on_sigint(int sig) {
  signal(sig, SIG_DFL);  // a second Ctrl-C before Lua notices terminates, as in lua.c
  clua_interrupt(interruptible);
}

void clua_install_sigint(lua_State *L) {
  interruptible = L;
  previous_handler = signal(SIGINT, on_sigint);
  if (previous_handler == SIG_ERR) previous_handler = SIG_DFL;
}

void clua_restore_sigint(void) {
  signal(SIGINT, previous_handler);
  interruptible = NULL;
}

static volatile sig_atomic_t prompt_interrupted = 0;
static void on_prompt_sigint(int sig) { (void)sig; prompt_interrupted = 1; }

void clua_ignore_sigint(void) {
  struct sigaction action;
  action.sa_handler = on_prompt_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: the prompt's read returns, and the REPL starts a new line
  sigaction(SIGINT, &action, NULL);
}

int clua_take_prompt_interrupt(void) {
  int was = prompt_interrupted;
  prompt_interrupted = 0;
  return was;
}

int clua_interrupted(void) { return interrupted; }

void clua_clear_interrupt(lua_State *L) {
  interrupted = 0;
  if (L != NULL) lua_sethook(L, NULL, 0, 0);
}

int clua_traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

void clua_write_stdout(const char *s, size_t n) { fwrite(s, 1, n, stdout); fflush(stdout); }
void clua_write_stderr(const char *s, size_t n) { fwrite(s, 1, n, stderr); fflush(stderr); }
int clua_isatty(int fd) { return isatty(fd); }
