/*
 * tui_keys: keys and prompts. Everything the user can do is a key (listed
 * by "?" and in cwdemux(1)); the shown screen takes its own keys first
 * (struct tui_view), the rest are common to all. A key changes the state
 * and marks what must be drawn again, never draws itself.
 */
#ifndef TUI_KEYS_H
#define TUI_KEYS_H

#include "tui_state.h"

/* Every key waiting (keys arrive without blocking). */
void tui_keys(struct tui *);

#endif
