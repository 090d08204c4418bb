// Lua 5.4 from Debian's liblua5.4-dev. The C shim (shim.c) adds inline wrappers for Lua's
// function-like macros and the trampoline through which every Swift function is called.
#ifndef CLUA_H
#define CLUA_H
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#endif
