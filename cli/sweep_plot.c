/* `ikesim sweep merge --plot`: one gnuplot chart of a result column against a parameter, a line per group. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sweep.h"
#include "viz.h"

#define MAX_PICTURE (64u << 20)

/* The table column named name among [from, to); -1 when none. */
static int find_col(const sweep_table *t, const char *name, size_t from, size_t to)
{
	for (size_t c = from; c < to; c++)
		if (!strcmp(t->head[c], name))
			return (int)c;
	return -1;
}

/* A gnuplot single-quoted string: '' for a quote, control characters as spaces. */
static void gp_str(viz_buf *b, const char *s)
{
	viz_buf_puts(b, "'");
	for (; *s; s++)
		viz_buf_put(b, *s == '\'' ? "''" : (unsigned char)*s < 0x20 ? " " : s, *s == '\'' ? 2 : 1);
	viz_buf_puts(b, "'");
}

/* The position of row r's value of parameter column c: its index among the parameter's values. */
static size_t value_index(const sweep_table *t, const cJSON *vals, size_t r, size_t c)
{
	size_t i = 0;
	for (const cJSON *v = vals->child; v; v = v->next, i++)
		if (cJSON_Compare(v, t->pval[r * t->n_params + c - 1], 1))
			return i;
	return 0;
}

/* Mean, min and max of y per x value among the rows of one group. */
typedef struct acc {
	double sum, min, max;
	size_t n;
} acc;

/* One series (group g): a data line per x value with rows, "x mean min max"; categories by their index. */
static void series(const sweep_table *t, viz_buf *b, int yc, size_t g, const cJSON *xv, int numeric, const size_t *xi,
		   const size_t *gi)
{
	size_t nx = (size_t)cJSON_GetArraySize(xv), i = 0;
	char a[40], lo[40], hi[40];
	acc *ac = calloc(nx, sizeof(*ac));
	if (!ac) {
		b->oom = 1;
		return;
	}
	for (size_t r = 0; r < t->n_rows; r++) {
		double y = t->num[r * t->n_cols + yc];
		if (isnan(y) || gi[r] != g)
			continue;
		acc *c = &ac[xi[r]];
		c->min = !c->n || y < c->min ? y : c->min;
		c->max = !c->n || y > c->max ? y : c->max;
		c->sum += y, c->n++;
	}
	for (const cJSON *x = xv->child; x; x = x->next, i++) {
		if (!ac[i].n)
			continue;
		if (numeric)
			viz_buf_puts(b, sweep_num_text(x->valuedouble, a, sizeof(a)));
		else
			viz_buf_printf(b, "%zu", i);
		viz_buf_printf(b, " %s", sweep_num_text(ac[i].sum / (double)ac[i].n, a, sizeof(a)));
		viz_buf_printf(b, " %s %s\n", sweep_num_text(ac[i].min, lo, sizeof(lo)), sweep_num_text(ac[i].max, hi, sizeof(hi)));
	}
	free(ac);
	viz_buf_puts(b, "e\n");
}

/* The manifest's values of the parameter in table column c. */
static const cJSON *param_values(const sweep_table *t, size_t c)
{
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(t->manifest, "parameters");
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ps, (int)c - 1), "values");
}

/* The whole script: fixed size and font, no enhanced text, data inline. */
static void script(const sweep_table *t, viz_buf *b, int png, int xc, int yc, int gc, int logx)
{
	const cJSON *xv = param_values(t, (size_t)xc), *gv = gc >= 0 ? param_values(t, (size_t)gc) : NULL;
	int numeric = 1, multi = 0;
	char v[256];
	for (const cJSON *x = xv->child; x; x = x->next)
		numeric &= cJSON_IsNumber(x);
	if (png)
		viz_buf_puts(b, "set terminal pngcairo size 900,600 font 'DejaVu Sans,10' noenhanced background '#ffffff'\n");
	else
		viz_buf_puts(b, "set terminal svg size 900,600 fixed font 'DejaVu Sans,12' noenhanced background '#ffffff'\n");
	viz_buf_puts(b, "set output\nset encoding utf8\nset grid\nset key below\nset title ");
	gp_str(b, t->head[yc]);
	viz_buf_puts(b, "\nset xlabel ");
	gp_str(b, t->head[xc]);
	viz_buf_puts(b, "\nset ylabel ");
	gp_str(b, t->head[yc]);
	viz_buf_puts(b, "\nset offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n");
	if (numeric && logx)
		viz_buf_puts(b, "set logscale x\n");
	if (!numeric) {
		size_t i = 0;
		viz_buf_puts(b, "set xtics (");
		for (const cJSON *x = xv->child; x; x = x->next, i++) {
			sweep_value_text(x, v, sizeof(v));
			viz_buf_puts(b, i ? ", " : "");
			gp_str(b, v);
			viz_buf_printf(b, " %zu", i);
		}
		viz_buf_puts(b, ")\n");
	}
	size_t ng = gv ? (size_t)cJSON_GetArraySize(gv) : 1, nx = (size_t)cJSON_GetArraySize(xv);
	size_t *xi = calloc(t->n_rows + 1, sizeof(*xi)), *gi = calloc(t->n_rows + 1, sizeof(*gi));
	if (!xi || !gi) {
		free(xi), free(gi);
		b->oom = 1;
		return;
	}
	for (size_t r = 0; r < t->n_rows; r++) {
		xi[r] = value_index(t, xv, r, (size_t)xc);
		gi[r] = gv ? value_index(t, gv, r, (size_t)gc) : 0;
	}
	multi = t->n_rows > nx * ng; /* a full grid: more rows than (group, x) cells puts several on each */
	viz_buf_puts(b, "plot ");
	for (size_t g = 0; g < ng; g++) {
		viz_buf_printf(b, "%s'-' using 1:2%s with %s lw 2 pt 7 title ", g ? ", " : "", multi ? ":3:4" : "",
			       multi ? "yerrorlines" : "linespoints");
		if (gv) {
			sweep_value_text(cJSON_GetArrayItem(gv, (int)g), v, sizeof(v));
			char title[400];
			snprintf(title, sizeof(title), "%s = %s", t->head[gc], v);
			gp_str(b, title);
		} else {
			gp_str(b, multi ? "mean (bars: min to max)" : t->head[yc]);
		}
	}
	viz_buf_puts(b, "\n");
	for (size_t g = 0; g < ng; g++)
		series(t, b, yc, g, xv, numeric, xi, gi);
	free(xi);
	free(gi);
}

/* gnuplot -d SCRIPT (no init files) with stdout into out_fd; 0 or -1 with msg. */
static int run_gnuplot(const char *sname, int out_fd, int err_fd, char *msg, size_t n)
{
	const char *bin = getenv("IKESIM_GNUPLOT");
	bin = bin && bin[0] ? bin : "gnuplot";
	pid_t pid = fork();
	if (pid < 0)
		return snprintf(msg, n, "cannot start gnuplot: %s", strerror(errno)), -1;
	if (pid == 0) {
		if (dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
			_exit(126);
		execlp(bin, bin, "-d", sname, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return snprintf(msg, n, "waiting for gnuplot: %s", strerror(errno)), -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return snprintf(msg, n, "cannot run '%s': --plot needs gnuplot (Debian's gnuplot-nox; 'make deps' installs it)",
				bin), -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char e[200] = "";
		ssize_t k = lseek(err_fd, 0, SEEK_SET) == 0 ? read(err_fd, e, sizeof(e) - 1) : 0;
		e[k > 0 ? k : 0] = 0;
		for (char *p = e; *p; p++)
			*p = *p == '\n' ? ' ' : *p;
		return snprintf(msg, n, "gnuplot failed: %s", e), -1;
	}
	return 0;
}

/* Runs gnuplot on the script and puts its picture into pic. */
static int draw(const viz_buf *sc, viz_buf *pic, char *msg, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	char name[3][512];
	int fd[3] = { -1, -1, -1 }, rc = -1;
	for (int i = 0; i < 3; i++) {
		snprintf(name[i], sizeof(name[i]), "%s/ikesim-sweep-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
		if ((fd[i] = mkstemp(name[i])) < 0) {
			snprintf(msg, n, "cannot create a temp file for gnuplot: %s", strerror(errno));
			goto done;
		}
	}
	if (write(fd[0], sc->p, sc->len) != (ssize_t)sc->len) {
		snprintf(msg, n, "cannot write gnuplot's script to %s", name[0]);
		goto done;
	}
	if (run_gnuplot(name[0], fd[1], fd[2], msg, n) != 0 || lseek(fd[1], 0, SEEK_SET) != 0)
		goto done;
	char buf[65536];
	ssize_t k;
	while ((k = read(fd[1], buf, sizeof(buf))) > 0 && pic->len + (size_t)k <= MAX_PICTURE)
		viz_buf_put(pic, buf, (size_t)k);
	if (k != 0 || pic->oom || !pic->len) {
		snprintf(msg, n, "gnuplot wrote no picture (or one over 64 MiB)");
		goto done;
	}
	rc = 0;
done:
	for (int i = 0; i < 3; i++)
		if (fd[i] >= 0) {
			close(fd[i]);
			unlink(name[i]);
		}
	return rc;
}

int sweep_plot(const sweep_table *t, const char *path, const char *x, const char *y, const char *by, int logx,
	       char *msg, size_t n)
{
	size_t l = strlen(path), first = 2 + t->n_params;
	int png = l > 4 && !strcmp(path + l - 4, ".png");
	if (!png && !(l > 4 && !strcmp(path + l - 4, ".svg")))
		return snprintf(msg, n, "--plot %s: the chart is drawn as .svg or .png", path), -1;
	int xc = x ? find_col(t, x, 1, first - 1) : 1, yc = y ? find_col(t, y, first, t->n_cols) : (int)first;
	int gc = by ? find_col(t, by, 1, first - 1) : -1;
	if (xc < 0 || (by && gc < 0) || (by && gc == xc))
		return snprintf(msg, n, "--%s '%s': not a parameter of this sweep%s", xc < 0 ? "x" : "by", xc < 0 ? x : by,
				by && gc == xc ? " other than --x" : ""), -1;
	if (yc < 0 || (size_t)yc >= t->n_cols)
		return snprintf(msg, n, "--y '%s': not a result column of this sweep", y ? y : "(none kept)"), -1;
	viz_buf sc = { 0 }, pic = { 0 };
	if (logx) /* a log axis needs positive numbers */
		for (const cJSON *v = param_values(t, (size_t)xc)->child; v; v = v->next)
			if (!cJSON_IsNumber(v) || !(v->valuedouble > 0))
				return snprintf(msg, n, "--logx: parameter '%s' has a value that is not a positive number",
						t->head[xc]), -1;
	script(t, &sc, png, xc, yc, gc, logx);
	int rc = sc.oom ? (snprintf(msg, n, "out of memory"), -1) : draw(&sc, &pic, msg, n);
	if (rc == 0)
		rc = viz_buf_write_file(&pic, path, msg, n);
	viz_buf_free(&sc);
	viz_buf_free(&pic);
	return rc;
}
