/*
 * tui_export: the UI's "e": it asks the export module (export.h) to write
 * the lines the UI holds, put together again into events, and says on the
 * last line what was written.
 */
#ifndef TUI_EXPORT_H
#define TUI_EXPORT_H

#include "tui_state.h"

void tui_export(struct tui *, const char *dir);

#endif
