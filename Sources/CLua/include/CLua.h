// Lua 5.4 from Debian's liblua5.4-dev, plus what Swift cannot import from it: Lua's function-like
// macros re-declared as static inline functions, and the trampoline through which every Swift
// function is called (see shim.c).
#ifndef CLUA_H
#define CLUA_H
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <signal.h>

// ---- Constants that are macros -------------------------------------------------------------
static const int CLUA_REGISTRYINDEX = LUA_REGISTRYINDEX;
static const int CLUA_MULTRET = LUA_MULTRET;
static const int CLUA_RIDX_GLOBALS = LUA_RIDX_GLOBALS;
static inline int clua_upvalueindex(int i) { return lua_upvalueindex(i); }

// ---- Function-like macros --------------------------------------------------------------------
static inline int clua_pcall(lua_State *L, int nargs, int nresults, int msgh) {
  return lua_pcall(L, nargs, nresults, msgh);
}
static inline const char *clua_tostring(lua_State *L, int i) { return lua_tolstring(L, i, NULL); }
static inline lua_Number clua_tonumber(lua_State *L, int i) { return lua_tonumberx(L, i, NULL); }
static inline lua_Integer clua_tointeger(lua_State *L, int i) { return lua_tointegerx(L, i, NULL); }
static inline void clua_pop(lua_State *L, int n) { lua_settop(L, -(n)-1); }
static inline void clua_newtable(lua_State *L) { lua_createtable(L, 0, 0); }
static inline void clua_insert(lua_State *L, int i) { lua_rotate(L, i, 1); }
static inline void clua_remove(lua_State *L, int i) { lua_rotate(L, i, -1); lua_settop(L, -2); }
static inline void clua_replace(lua_State *L, int i) { lua_copy(L, -1, i); lua_settop(L, -2); }
static inline int clua_isnil(lua_State *L, int i) { return lua_type(L, i) == LUA_TNIL; }
static inline int clua_isnone(lua_State *L, int i) { return lua_type(L, i) == LUA_TNONE; }
static inline int clua_isnoneornil(lua_State *L, int i) { return lua_type(L, i) <= 0; }
static inline int clua_istable(lua_State *L, int i) { return lua_type(L, i) == LUA_TTABLE; }
static inline int clua_isfunction(lua_State *L, int i) { return lua_type(L, i) == LUA_TFUNCTION; }
static inline int clua_isboolean(lua_State *L, int i) { return lua_type(L, i) == LUA_TBOOLEAN; }
static inline void *clua_newuserdata(lua_State *L, size_t size) {
  return lua_newuserdatauv(L, size, 0);
}
static inline void clua_pushglobaltable(lua_State *L) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
}
static inline const char *clua_typename_at(lua_State *L, int i) {
  return lua_typename(L, lua_type(L, i));
}
// Text chunks only (mode "t"): a precompiled chunk can crash the VM by design, so none is loaded
// (see clua_text_chunks_only for what Lua code loads).
static inline int clua_loadbuffer(lua_State *L, const char *s, size_t n, const char *name) {
  return luaL_loadbufferx(L, s, n, name, "t");
}
static inline int clua_loadfile(lua_State *L, const char *path) { return luaL_loadfilex(L, path, "t"); }
// lua_gc is variadic: one wrapper per use.
static inline int clua_gc_collect(lua_State *L) { return lua_gc(L, LUA_GCCOLLECT, 0); }
static inline int clua_gc_count_kb(lua_State *L) { return lua_gc(L, LUA_GCCOUNT, 0); }
// An incremental step "as if kb were allocated": tells the collector about memory held outside
// its heap (tensors). Finalizer errors become warnings in Lua 5.4, so this never raises.
static inline int clua_gc_step(lua_State *L, int kb) { return lua_gc(L, LUA_GCSTEP, kb); }

// ---- The trampoline ---------------------------------------------------------------------------
// Every Swift function Lua can call is a C closure over `clua_trampoline` whose first upvalue is
// an integer: the binding's index in Swift's table. The trampoline calls the dispatcher that Swift
// installs once; the dispatcher never raises a Lua error itself. It returns:
//   n >= 0                 n results are on the top of the stack;
//   CLUA_RAISE             raise the string on the top of the stack as a Lua error, with position;
//   CLUA_RAISE_RAW         raise the value on the top of the stack as it is (an error from Lua);
//   CLUA_RAISE_ARG - k     raise "bad argument #k to 'name' (msg)", msg on top of the stack.
// The error is raised by C after the Swift frame has returned, so `longjmp` never crosses Swift.
#define CLUA_RAISE (-1)
#define CLUA_RAISE_RAW (-2)
#define CLUA_RAISE_ARG (-1000)
typedef int (*clua_dispatcher)(lua_State *L, lua_Integer binding);
void clua_set_dispatcher(clua_dispatcher d);
int clua_trampoline(lua_State *L);
/// Pushes a closure that calls binding number `binding` through the trampoline.
void clua_pushbinding(lua_State *L, lua_Integer binding);
/// Like clua_pushbinding, with the n values on the top of the stack (popped) as upvalues 2...n+1.
void clua_pushbinding_upvalues(lua_State *L, lua_Integer binding, int n);

// ---- Interruption (Ctrl-C) ----------------------------------------------------------------------
// A SIGINT handler that sets a flag (polled by Swift loops between batches) and installs a Lua
// hook that raises "interrupted!" at the next Lua instruction of the state `L`.
void clua_install_sigint(lua_State *L);
void clua_restore_sigint(void);
/// At the REPL's prompt, SIGINT only sets a flag (Ctrl-C there does not end the session)...
void clua_ignore_sigint(void);
/// ... which this reads and clears: whether Ctrl-C was pressed at the prompt.
int clua_take_prompt_interrupt(void);
/// Does what the handler does, without a signal: for tests and for other threads.
void clua_interrupt(lua_State *L);
/// Whether an interruption is pending.
int clua_interrupted(void);
/// Clears a pending interruption (and its hook).
void clua_clear_interrupt(lua_State *L);

// ---- Text chunks only ----------------------------------------------------------------------------
/// Replaces the base library's `load`, `loadfile` and `dofile` with versions that load text
/// chunks only (mode "t" whatever mode the caller asks for), and `require`'s Lua-file searcher
/// with one that does the same. Call after luaL_openlibs.
void clua_text_chunks_only(lua_State *L);

// ---- Tracebacks ---------------------------------------------------------------------------------
/// A message handler for lua_pcall: the error message (or __tostring of an error object) followed
/// by a traceback.
int clua_traceback(lua_State *L);

// ---- Output --------------------------------------------------------------------------------------
/// Writes n bytes to standard output (or error) and flushes: Swift 6 cannot name C's stdout.
void clua_write_stdout(const char *s, size_t n);
void clua_write_stderr(const char *s, size_t n);
/// Whether file descriptor fd is a terminal.
int clua_isatty(int fd);
#endif
#ifndef CLUA_RELEASE_H
#define CLUA_RELEASE_H
/// Lua's release string ("Lua 5.4.4").
static const char *const CLUA_RELEASE = LUA_RELEASE;
#endif
