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

// ---- Text chunks only -------------------------------------------------------------------------
// After lbaselib.c's load/loadfile/dofile and loadlib.c's Lua searcher (Lua 5.4), with the
// mode fixed to "t": Lua does not verify bytecode, and a crafted binary chunk crashes the VM.

// The reader behind load(f): calls f for pieces until it returns nil or "" (lbaselib's generic_reader).
#define CLUA_RESERVED_SLOT 5
static const char *text_reader(lua_State *L, void *ud, size_t *size) {
  (void)ud;
  luaL_checkstack(L, 2, "too many nested functions");
  lua_pushvalue(L, 1);
  lua_call(L, 0, 1);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    *size = 0;
    return NULL;
  } else if (!lua_isstring(L, -1))
    luaL_error(L, "reader function must return a string");
  lua_replace(L, CLUA_RESERVED_SLOT);
  return lua_tolstring(L, CLUA_RESERVED_SLOT, size);
}

// Sets the loaded chunk's first upvalue to the value at envidx (when given), or returns nil
// and the message (lbaselib's load_aux).
static int load_result(lua_State *L, int status, int envidx) {
  if (status == LUA_OK) {
    if (envidx != 0) {
      lua_pushvalue(L, envidx);
      if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
    }
    return 1;
  }
  luaL_pushfail(L);
  lua_insert(L, -2);
  return 2;
}

static int text_load(lua_State *L) {
  size_t l;
  const char *s = lua_tolstring(L, 1, &l);
  int env = (!lua_isnone(L, 4) ? 4 : 0);
  int status;
  luaL_optstring(L, 3, "bt");  // the mode is checked as Lua does, then ignored: text only
  if (s != NULL) {
    const char *chunkname = luaL_optstring(L, 2, s);
    status = luaL_loadbufferx(L, s, l, chunkname, "t");
  } else {
    const char *chunkname = luaL_optstring(L, 2, "=(load)");
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_settop(L, CLUA_RESERVED_SLOT);
    status = lua_load(L, text_reader, NULL, chunkname, "t");
  }
  return load_result(L, status, env);
}

static int text_loadfile(lua_State *L) {
  const char *fname = luaL_optstring(L, 1, NULL);
  int env = (!lua_isnone(L, 3) ? 3 : 0);
  luaL_optstring(L, 2, "bt");
  return load_result(L, luaL_loadfilex(L, fname, "t"), env);
}

static int dofile_continuation(lua_State *L, int d1, lua_KContext d2) {
  (void)d1;
  (void)d2;
  return lua_gettop(L) - 1;
}

static int text_dofile(lua_State *L) {
  const char *fname = luaL_optstring(L, 1, NULL);
  lua_settop(L, 1);
  if (luaL_loadfilex(L, fname, "t") != LUA_OK) return lua_error(L);
  lua_callk(L, 0, LUA_MULTRET, 0, dofile_continuation);
  return dofile_continuation(L, 0, 0);
}

// require's second searcher: a Lua file on package.path, loaded as text.
static int text_searcher(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "searchpath");
  lua_pushstring(L, name);
  lua_getfield(L, -3, "path");
  if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "'package.path' must be a string");
  lua_call(L, 2, 2);
  if (lua_isnil(L, -2)) return 1;  // the message of searchpath: where it looked
  const char *filename = lua_tostring(L, -2);
  if (luaL_loadfilex(L, filename, "t") == LUA_OK) {
    lua_pushstring(L, filename);
    return 2;
  }
  return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, filename, lua_tostring(L, -1));
}

void clua_text_chunks_only(lua_State *L) {
  lua_pushcfunction(L, text_load);
  lua_setglobal(L, "load");
  lua_pushcfunction(L, text_loadfile);
  lua_setglobal(L, "loadfile");
  lua_pushcfunction(L, text_dofile);
  lua_setglobal(L, "dofile");
  lua_getglobal(L, "package");
  if (lua_getfield(L, -1, "searchers") == LUA_TTABLE) {
    lua_pushcfunction(L, text_searcher);
    lua_rawseti(L, -2, 2);
  }
  lua_pop(L, 2);
}
