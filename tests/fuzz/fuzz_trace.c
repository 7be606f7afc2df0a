/*
 * libFuzzer target: `ikesim trace`'s input side and printers (cli/trace_read.c, trace_filter.c, trace_print.c,
 * trace_table.c). The input is a trace file (seeds: tests/fuzz/corpus/trace); its first byte picks the line bound
 * and the filters. Oracles: a line handed out holds no NUL and fits the bound, line numbers and offsets only grow
 * and stay inside the input, every refusal has a reason, and a parsed event has its t, node and ev.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "trace_filter.h"
#include "trace_read.h"

__attribute__((noreturn)) static void broken(void)
{
	__builtin_trap();
}

/* Filters chosen by the flag byte, so selection code runs as well as parsing. */
static void pick_filter(trace_filter *f, uint8_t flags)
{
	char msg[128];
	memset(f, 0, sizeof(*f));
	if ((flags & 1) && trace_filter_add_ev(f, "ike.*,*state,kdf[name=Ni],dpd[after=1][action=sent]", msg, sizeof(msg)))
		broken();
	if ((flags & 2) && trace_filter_add(f->nodes, &f->n_nodes, "--node", "gw-a,sim", msg, sizeof(msg)))
		broken();
	if ((flags & 4) && trace_filter_set_sa(f, "0x80", msg, sizeof(msg)))
		broken();
	if ((flags & 8) && trace_filter_add_where(f, "datagrams.sent=4", msg, sizeof(msg)))
		broken();
	if (flags & 16)
		f->has_from = 1, f->from = 0.02, f->has_to = 1, f->to = 1e9;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char fields[4][TRACE_NAME_MAX] = { "t", "ev", "datagrams.sent", "inputs" };
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	FILE *in = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1, "rb");
	FILE *out = fopen("/dev/null", "w");
	if (!in || !out)
		broken();
	if (size == 1)
		fgetc(in); /* fmemopen wants a size; an empty input reads nothing */
	trace_reader r;
	trace_filter f;
	trace_table tab;
	pick_filter(&f, flags);
	trace_table_init(&tab, fields, (flags & 32) ? 4 : 2);
	trace_reader_init(&r, in, "fuzz", (flags & 64) ? 64 : 4096);
	const char *line;
	size_t len;
	char msg[512];
	uint64_t last_line = 0, last_off = 0;
	int rc;
	while ((rc = trace_reader_next(&r, &line, &len, msg, sizeof(msg))) != TRACE_RD_EOF) {
		if (rc == TRACE_RD_IOERR)
			broken();
		if (r.line != last_line + 1 || (last_line && r.offset <= last_off) || r.offset > size - 1)
			broken();
		last_line = r.line, last_off = r.offset;
		if (rc == TRACE_RD_BAD) {
			if (!msg[0] || !memchr(msg, 0, sizeof(msg)))
				broken();
			continue;
		}
		if (len > r.max || memchr(line, 0, len) || line[len])
			broken();
		cJSON *ev = trace_event_parse(&r, line, len, msg, sizeof(msg));
		if (!ev) {
			if (!msg[0])
				broken();
			continue;
		}
		if (!trace_field(ev, "t") || !trace_field(ev, "node") || !trace_field(ev, "ev"))
			broken();
		if (trace_filter_match(&f, ev)) {
			trace_print_readable(out, line, ev);
			if (trace_table_add(&tab, out, line, ev) != 0)
				broken();
		}
		cJSON_Delete(ev);
	}
	trace_table_finish(&tab, out);
	trace_reader_free(&r);
	fclose(in);
	fclose(out);
	return 0;
}
