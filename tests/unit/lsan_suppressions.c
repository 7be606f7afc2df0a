/*
 * LeakSanitizer suppressions built into the unit-test binary, so `build/asan/unit_tests` run by hand and
 * `make test` agree. Only third-party frames: Graphviz 2.42's dot layout leaks virtual edges of clusters
 * (allocated through libgvc's gmalloc), and its PNG renderer (pango/cairo) loads fonts through fontconfig,
 * which keeps them for the life of the process. None of our allocations pass through either library.
 */
const char *__lsan_default_suppressions(void);

const char *__lsan_default_suppressions(void)
{
	return "leak:libgvc.so\n"
	       "leak:libfontconfig.so\n";
}

const char *__lsan_default_options(void);

/* The suppression statistics would print after cmocka's summary line, which must stay the run's last line. */
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
