/*
 * The UI's export ("e"): the lines the UI holds are put together again
 * into events, in the order they arrived, and handed to the export
 * module, which writes them as --export would.
 */
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "tui_export.h"

/* Where the walk over the held lines is. */
struct walk {
	struct tui *t;
	uint64_t seq; /* the last line taken */
	struct buf msg; /* the event being put together */
	unsigned long long lines;
};

/* The next event: a line and the lines that continue it. */
static int
next_event(void *arg, struct out_event *ev)
{
	struct walk *w = arg;
	const struct sb_line *first, *l;

	if ((first = scrollback_next(w->t->sb, SCROLLBACK_ALL, w->seq)) == NULL)
		return (0);
	buf_reset(&w->msg);
	buf_add(&w->msg, first->text, first->len);
	w->seq = first->seq;
	w->lines++;
	while (
	    (l = scrollback_next(w->t->sb, SCROLLBACK_ALL, w->seq)) != NULL &&
	    l->cont) {
		buf_addc(&w->msg, '\n');
		buf_add(&w->msg, l->text, l->len);
		w->seq = l->seq;
		w->lines++;
	}
	memset(ev, 0, sizeof *ev);
	ev->timestamp = first->ts;
	ev->group =
	    scrollback_group_name(w->t->sb, first->group, &ev->group_len);
	ev->host = first->host;
	ev->host_len = first->host_len;
	ev->stream = first->stream;
	ev->stream_len = first->stream_len;
	ev->msg = w->msg.data != NULL ? w->msg.data : "";
	ev->len = w->msg.len;
	return (1);
}

/*
 * The manifest says complete only when the UI holds the whole job: every
 * line read (nothing more will come) and none dropped from the scrollback.
 */
void
tui_export(struct tui *t, const char *dir)
{
	struct walk w = {t, 0, BUF_INIT, 0};
	uint64_t dropped = scrollback_dropped(t->sb);
	int complete = dropped == 0 && t->info.done;
	char *cause = NULL;

	if (export_write(
		dir, t->opt.errors, complete, next_event, &w, &cause) != 0) {
		tui_notice(t, 1, "export: %s", cause);
		free(cause);
	} else if (dropped > 0)
		tui_notice(t, 1,
		    "exported %llu lines to %s, INCOMPLETE: the oldest %llu "
		    "lines were dropped from the scrollback (--scrollback); "
		    "use --export for the whole job",
		    w.lines, dir, (unsigned long long)dropped);
	else if (!complete)
		tui_notice(t, 0,
		    "exported %llu lines to %s, the job so far (its manifest "
		    "says incomplete: more may come)",
		    w.lines, dir);
	else
		tui_notice(t, 0, "exported %llu lines to %s", w.lines, dir);
	buf_free(&w.msg);
}
