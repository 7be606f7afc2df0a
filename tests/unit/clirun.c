/* In-process CLI runs with captured output. */
#include "clirun.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

clirun clirun_call(int (*fn)(int, char **, FILE *, FILE *), int argc, char **argv)
{
	clirun r = { 0 };
	FILE *out = open_memstream(&r.out, &r.out_len), *err = open_memstream(&r.err, &r.err_len);
	assert_non_null(out);
	assert_non_null(err);
	r.rc = fn(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return r;
}

void clirun_free(clirun *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}
