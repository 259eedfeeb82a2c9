/*
 * The UI's export ("e"): the lines of the spool are put together again
 * into events, in the order they arrived, and handed to the export
 * module, which writes them as --export would.
 */
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "mpi.h"
#include "tui_export.h"

/* Where the walk over the held lines is. */
struct walk {
	struct tui *t;
	uint64_t seq; /* the last line taken */
	struct buf msg; /* the event being put together */
	unsigned long long lines;
	unsigned long long missing; /* lines whose text could not be read */
	int complete; /* what the manifest says */
};

/*
 * The next event: a line and the lines that continue it. The first line's
 * fields are taken before the others are read (a line read from the spool
 * lives in its cache, which a long event can go round). An event one of
 * whose lines could not be read back (the file it was indexed in changed)
 * is left out, counted: the export is then incomplete.
 */
static int
next_event(void *arg, struct out_event *ev)
{
	struct walk *w = arg;
	const struct spool_line *l;
	struct mpi_tag tag;
	unsigned long long n;
	int hole, eol;

	for (;;) {
		/* --export-filtered: the events the command line selects. */
		while (
		    (l = spool_next(w->t->spool, SPOOL_ALL, w->seq)) != NULL &&
		    w->t->opt.export_filtered &&
		    (l->mark & TUI_MARK_UNSELECTED))
			w->seq = l->seq;
		if (l == NULL)
			return (0);
		memset(ev, 0, sizeof *ev);
		ev->timestamp = l->ts;
		ev->group =
		    spool_group_name(w->t->spool, l->group, &ev->group_len);
		ev->host = l->host;
		ev->host_len = l->host_len;
		ev->stream = l->stream;
		ev->stream_len = l->stream_len;
		/* A placed rank's line, carried by the master (tui.c). */
		if (l->via != NULL && mpi_tag_parse(l->text, l->len, &tag)) {
			ev->ranked = 1;
			ev->rank = tag.rank;
			ev->rank_placed = 1;
			ev->via = l->via;
			ev->via_len = l->via_len;
		}
		buf_reset(&w->msg);
		buf_add(&w->msg, l->text, l->len);
		w->seq = l->seq;
		hole = l->missing;
		eol = l->eol;
		n = 1;
		while (
		    (l = spool_next(w->t->spool, SPOOL_ALL, w->seq)) != NULL &&
		    l->cont) {
			buf_addc(&w->msg, '\n');
			buf_add(&w->msg, l->text, l->len);
			w->seq = l->seq;
			hole |= l->missing;
			eol = l->eol;
			n++;
		}
		/* Its own last line end, which the spool keeps as a bit. */
		if (eol)
			buf_addc(&w->msg, '\n');
		if (!hole)
			break;
		w->missing += n;
		w->complete = 0;
	}
	w->lines += n;
	ev->msg = w->msg.data != NULL ? w->msg.data : "";
	ev->len = w->msg.len;
	return (1);
}

/*
 * The manifest says complete only when the UI holds the whole job: every
 * line read (nothing more will come), none dropped from the spool for its
 * disk budget and none it could not keep (a full disk).
 */
void
tui_export(struct tui *t, const char *dir)
{
	struct walk w = {t, 0, BUF_INIT, 0, 0, 0};
	uint64_t dropped = spool_dropped(t->spool);
	uint64_t lost = spool_lost(t->spool);
	char *cause = NULL;

	w.complete = dropped == 0 && lost == 0 && t->info.done;
	if (export_write(
		dir, t->opt.errors, &w.complete, next_event, &w, &cause) != 0) {
		tui_notice(t, 1, "export: %s", cause);
		free(cause);
	} else if (w.missing > 0)
		tui_notice(t, 1,
		    "exported %llu lines to %s, INCOMPLETE: %llu could not be "
		    "read back from the files they were read from (changed "
		    "since); use --export for the whole job",
		    w.lines, dir, w.missing);
	else if (dropped > 0 || lost > 0)
		tui_notice(t, 1,
		    "exported %llu lines to %s, INCOMPLETE: %llu lines were "
		    "dropped from the spool (--spool-limit) and %llu not "
		    "kept; use --export for the whole job",
		    w.lines, dir, (unsigned long long)dropped,
		    (unsigned long long)lost);
	else if (!w.complete)
		tui_notice(t, 0,
		    "exported %llu lines to %s, the job so far (its manifest "
		    "says incomplete: more may come)",
		    w.lines, dir);
	else
		tui_notice(t, 0, "exported %llu lines to %s", w.lines, dir);
	buf_free(&w.msg);
}
