/*
 * The screens of the terminal UI, one file and one struct tui_view each:
 * the overview (one pane per group), one group, all groups interleaved.
 */
#ifndef TUI_VIEWS_H
#define TUI_VIEWS_H

#include "tui_state.h"

extern const struct tui_view tui_view_overview;
extern const struct tui_view tui_view_group;
extern const struct tui_view tui_view_all;

#endif
