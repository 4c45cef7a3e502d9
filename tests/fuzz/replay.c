/*
 * A main() for the fuzz harnesses built without libFuzzer: runs
 * LLVMFuzzerTestOneInput once on every file named, or in a directory
 * named, as "fuzzer -runs=0 DIR" does. Exits 0, or 1 when a file cannot
 * be read (a crash aborts).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fake_sys.h"

/* Runs the harness on one file. Returns 0, or -1 when it cannot be read. */
static int
replay_file(const char *path)
{
	FILE *fp;
	char *p = NULL;
	size_t len = 0, cap = 0, n;

	if ((fp = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((p = realloc(p, cap)) == NULL)
				abort();
		}
		if ((n = fread(p + len, 1, cap - len, fp)) == 0)
			break;
		len += n;
	}
	fclose(fp);
	/* An exact-size copy, so that ASan sees reads past the end. */
	{
		uint8_t *q = malloc(len ? len : 1);

		if (q == NULL)
			abort();
		memcpy(q, p, len);
		free(p);
		LLVMFuzzerTestOneInput(q, len);
		free(q);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct dirent *de;
	struct stat st;
	char path[4096];
	DIR *d;
	int i, n = 0, rc = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if ((d = opendir(argv[i])) == NULL) {
				perror(argv[i]);
				rc = 1;
				continue;
			}
			while ((de = readdir(d)) != NULL) {
				if (de->d_name[0] == '.')
					continue;
				snprintf(path, sizeof(path), "%s/%s", argv[i],
				    de->d_name);
				if (replay_file(path) == -1)
					rc = 1;
				n++;
			}
			closedir(d);
		} else {
			if (replay_file(argv[i]) == -1)
				rc = 1;
			n++;
		}
	}
	printf("%s: %d inputs replayed\n", argv[0], n);
	return rc;
}
