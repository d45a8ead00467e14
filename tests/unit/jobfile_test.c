/* jobfile_test.c - inspecting job .so files as ELF (lib/job/jobfile.c).
 *
 * Hand-made ELF images test the parser on any machine; real jobs are
 * compiled with `cc -shared -fPIC -I$PD_SRCDIR/lib` when cc is there
 * (PD_SRCDIR defaults to ".", the repository root Bats runs from). */
#include "buf.h"
#include "err.h"
#include "jobfile.h"
#include "playdoh.h"
#include "t.h"

#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[64];

/* What the running program is built for, read from its own header. */
static int host_cls, host_data, host_machine;

/* A hand-made ELF image. */
struct img {
	unsigned char b[4096];
	size_t len;
	int is64, big;
	size_t shoff, symoff, stroff, nsyms;
};

/* A symbol for make_so(). */
struct tsym {
	const char *name;
	int shndx, bind;
};

/* Store the n-byte integer v at p in the image's byte order. */
static void put(const struct img *m, unsigned char *p, size_t n, uint64_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[m->big ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

/* Set field f of ELF struct T at offset off of the image. */
#define SET(m, off, T, f, v)                                                   \
	((m)->is64 ? put((m), (m)->b + (off) + offsetof(Elf64_##T, f),         \
			 sizeof(((Elf64_##T *)0)->f), (v))                     \
		   : put((m), (m)->b + (off) + offsetof(Elf32_##T, f),         \
			 sizeof(((Elf32_##T *)0)->f), (v)))
#define SIZEOF(m, T) ((m)->is64 ? sizeof(Elf64_##T) : sizeof(Elf32_##T))

/* An ELF header only: class, byte order, machine and type. */
static void make_header(struct img *m, int cls, int data, int machine, int type)
{
	memset(m, 0, sizeof *m);
	m->is64 = cls == ELFCLASS64;
	m->big = data == ELFDATA2MSB;
	memcpy(m->b, ELFMAG, SELFMAG);
	m->b[EI_CLASS] = (unsigned char)cls;
	m->b[EI_DATA] = (unsigned char)data;
	m->b[EI_VERSION] = EV_CURRENT;
	SET(m, 0, Ehdr, e_type, type);
	SET(m, 0, Ehdr, e_machine, machine);
	SET(m, 0, Ehdr, e_version, EV_CURRENT);
	SET(m, 0, Ehdr, e_ehsize, SIZEOF(m, Ehdr));
	m->len = SIZEOF(m, Ehdr);
}

/* A shared object for this machine with sections null, .dynsym and
 * .dynstr, and symbols syms[0..n) after the null symbol. */
static void make_so(struct img *m, const struct tsym *syms, size_t n)
{
	size_t off, i, name;

	make_header(m, host_cls, host_data, host_machine, ET_DYN);
	/* .dynstr right after the header */
	m->stroff = off = m->len;
	m->b[off++] = 0;
	for (i = 0; i < n; i++) {
		strcpy((char *)m->b + off, syms[i].name);
		off += strlen(syms[i].name) + 1;
	}
	m->len = off;
	/* .dynsym, 8-aligned */
	m->symoff = off = (m->len + 7) & ~(size_t)7;
	m->nsyms = n + 1;
	off += SIZEOF(m, Sym); /* null symbol */
	for (i = 0, name = 1; i < n; i++) {
		SET(m, off, Sym, st_name, name);
		SET(m, off, Sym, st_info, (unsigned)syms[i].bind << 4 | STT_OBJECT);
		SET(m, off, Sym, st_shndx, syms[i].shndx);
		name += strlen(syms[i].name) + 1;
		off += SIZEOF(m, Sym);
	}
	/* section headers, 8-aligned: null, .dynsym (1), .dynstr (2) */
	m->shoff = (off + 7) & ~(size_t)7;
	off = m->shoff + SIZEOF(m, Shdr);
	SET(m, off, Shdr, sh_type, SHT_DYNSYM);
	SET(m, off, Shdr, sh_offset, m->symoff);
	SET(m, off, Shdr, sh_size, m->nsyms * SIZEOF(m, Sym));
	SET(m, off, Shdr, sh_link, 2);
	SET(m, off, Shdr, sh_entsize, SIZEOF(m, Sym));
	off += SIZEOF(m, Shdr);
	SET(m, off, Shdr, sh_type, SHT_STRTAB);
	SET(m, off, Shdr, sh_offset, m->stroff);
	SET(m, off, Shdr, sh_size, m->symoff - m->stroff);
	m->len = off + SIZEOF(m, Shdr);
	SET(m, 0, Ehdr, e_shoff, m->shoff);
	SET(m, 0, Ehdr, e_shentsize, SIZEOF(m, Shdr));
	SET(m, 0, Ehdr, e_shnum, 3);
}

/* Offset of section header i in m. */
static size_t sh(const struct img *m, size_t i)
{
	return m->shoff + i * SIZEOF(m, Shdr);
}

/* Write n bytes to tmpdir/name; returns the path (static storage). */
static const char *write_file(const char *name, const void *p, size_t n)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	if (!(f = fopen(path, "w")) || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
	return path;
}

/* Read all of path into a malloc'd buffer (length in *n), or NULL. */
static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	unsigned char *p;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	p = malloc(len > 0 ? (size_t)len : 1);
	*n = fread(p, 1, len > 0 ? (size_t)len : 0, f);
	fclose(f);
	return p;
}

/* Inspect path; returns the result with the names joined by ',' in out. */
static int inspect(const char *path, char *out, size_t outsz, int *n, char *err)
{
	struct pd_buf names = PD_BUF_INIT;
	const char *p;
	size_t len = 0;
	int rc, i;

	err[0] = 0;
	out[0] = 0;
	rc = pd_jobfile_inspect(path, &names, n, err);
	for (i = 0, p = names.data; i < *n; i++, p += strlen(p) + 1)
		len += (size_t)snprintf(out + len, outsz - len, "%s%s", i ? "," : "", p);
	pd_buf_release(&names);
	return rc;
}

/* msg as the error names a file of tmpdir: by the path it was given as. */
static const char *given(const char *msg)
{
	static char buf[PD_ERRLEN];

	snprintf(buf, sizeof buf, "%s/%s", tmpdir, msg);
	return buf;
}

/* Check that the image m (written as name) fails with exactly msg, which
 * names the file as it was given (tmpdir/name). */
static void img_fails(const struct img *m, const char *name, const char *msg)
{
	char err[PD_ERRLEN], list[256];
	int n = -1;

	CHECK(inspect(write_file(name, m->b, m->len), list, sizeof list, &n, err) == -1);
	CHECK_STR(err, given(msg));
	CHECK(n == 0 && !list[0]);
}

/* The name make_header() machines go by in messages, for this host. */
static const char *host_name(void)
{
	switch (host_machine) {
	case EM_X86_64: return "x86_64";
	case EM_AARCH64: return host_data == ELFDATA2LSB ? "aarch64" : "aarch64_be";
	case EM_386: return "i386";
	default: return NULL;
	}
}

/* ELF identification and header checks, on hand-made headers. */
static void test_headers(void)
{
	struct img m;
	char err[PD_ERRLEN], want[PD_ERRLEN], list[256];
	int foreign = host_machine == EM_AARCH64 ? EM_X86_64 : EM_AARCH64, n;
	const char *hn = host_name();

	/* not ELF at all */
	img_fails(&(struct img){"hello, world\n", 13, 0, 0, 0, 0, 0, 0}, "text.txt",
		  "text.txt: not an ELF file");
	img_fails(&(struct img){"", 0, 0, 0, 0, 0, 0, 0}, "empty.so", "empty.so: not an ELF file");
	img_fails(&(struct img){"\177EL", 3, 0, 0, 0, 0, 0, 0}, "short.so", "short.so: not an ELF file");

	/* another machine */
	make_header(&m, ELFCLASS64, ELFDATA2LSB, foreign, ET_DYN);
	CHECK(inspect(write_file("arm.so", m.b, m.len), list, sizeof list, &n, err) == -1);
	snprintf(want, sizeof want, "%s/arm.so: built for %s, this machine is ", tmpdir,
		 foreign == EM_AARCH64 ? "aarch64" : "x86_64");
	CHECK(!strncmp(err, want, strlen(want)));
	if (hn) {
		snprintf(want + strlen(want), sizeof want - strlen(want), "%s", hn);
		CHECK_STR(err, want);
	}
	/* 32-bit big-endian headers are read too */
	make_header(&m, ELFCLASS32, ELFDATA2MSB, EM_PPC, ET_DYN);
	CHECK(m.len == 52);
	CHECK(inspect(write_file("ppc.so", m.b, m.len), list, sizeof list, &n, err) == -1);
	CHECK(!strncmp(err, given("ppc.so: built for ppc, this machine is "), strlen(given("ppc.so: built for ppc, this machine is "))));
	make_header(&m, ELFCLASS64, ELFDATA2MSB, EM_S390, ET_DYN);
	CHECK(inspect(write_file("s390.so", m.b, m.len), list, sizeof list, &n, err) == -1);
	CHECK(!strncmp(err, given("s390.so: built for s390x, this machine is "), strlen(given("s390.so: built for s390x, this machine is "))));
	make_header(&m, ELFCLASS64, ELFDATA2LSB, 4242, ET_DYN);
	CHECK(inspect(write_file("odd.so", m.b, m.len), list, sizeof list, &n, err) == -1);
	CHECK(!strncmp(err, given("odd.so: built for machine 4242, this machine is "), strlen(given("odd.so: built for machine 4242, this machine is "))));
	/* same machine, other class: the ABI is spelled out */
	if (hn && host_machine == EM_X86_64 && host_cls == ELFCLASS64) {
		make_header(&m, ELFCLASS32, ELFDATA2LSB, EM_X86_64, ET_DYN);
		img_fails(&m, "x32.so",
			  "x32.so: built for x86_64 (32-bit, little-endian), this machine is x86_64 (64-bit, little-endian)");
	}

	/* this machine, but not a shared object */
	make_header(&m, host_cls, host_data, host_machine, ET_REL);
	img_fails(&m, "job.o", "job.o: not a shared object (a relocatable object file); build it with cc -shared -fPIC");
	make_header(&m, host_cls, host_data, host_machine, ET_EXEC);
	img_fails(&m, "prog", "prog: not a shared object (an executable); build it with cc -shared -fPIC");

	/* damaged identification or header */
	make_header(&m, host_cls, host_data, host_machine, ET_DYN);
	m.b[EI_CLASS] = 3;
	img_fails(&m, "cls.so", "cls.so: truncated or corrupt ELF file (bad EI_CLASS)");
	make_header(&m, host_cls, host_data, host_machine, ET_DYN);
	m.b[EI_DATA] = 0;
	img_fails(&m, "data.so", "data.so: truncated or corrupt ELF file (bad EI_DATA)");
	make_header(&m, host_cls, host_data, host_machine, ET_DYN);
	m.len = 40;
	img_fails(&m, "hdr.so", "hdr.so: truncated or corrupt ELF file (short ELF header)");
	make_header(&m, host_cls, host_data, host_machine, ET_DYN);
	img_fails(&m, "nosec.so", "nosec.so: truncated or corrupt ELF file (no section headers)");

	/* open errors, a directory; named as given, not by their basename */
	CHECK(inspect("/nonexistent/dir/square.so", list, sizeof list, &n, err) == -1);
	CHECK_STR(err, "open /nonexistent/dir/square.so: No such file or directory");
	CHECK(inspect(tmpdir, list, sizeof list, &n, err) == -1);
	snprintf(want, sizeof want, "%s: not a regular file", tmpdir);
	CHECK_STR(err, want);
}

/* Listing jobs from a hand-made .dynsym, and damaged tables. */
static void test_symbols(void)
{
	const struct tsym syms[] = {
		{"pd_desc_alpha", 7, STB_GLOBAL}, {"other", 7, STB_GLOBAL},
		{"pd_desc_beta", SHN_ABS, STB_WEAK}, {"pd_desc_undef", SHN_UNDEF, STB_GLOBAL},
		{"pd_desc_local", 7, STB_LOCAL}, {"pd_desc_", 7, STB_GLOBAL},
		{"pd_desc_bad-name", 7, STB_GLOBAL}, {"pd_desc_alpha", 8, STB_GLOBAL},
		{"pd_desc", 7, STB_GLOBAL}, {"pd_desc_g\xc3\xa9", 7, STB_GLOBAL},
	};
	struct img m;
	char err[PD_ERRLEN], list[256];
	int n;

	make_so(&m, syms, sizeof syms / sizeof syms[0]);
	CHECK(inspect(write_file("syn.so", m.b, m.len), list, sizeof list, &n, err) == 0);
	CHECK_STR(err, "");
	CHECK_STR(list, "alpha,beta,g\xc3\xa9");
	CHECK(n == 3);

	/* no .dynsym: no jobs */
	make_so(&m, syms, 1);
	SET(&m, sh(&m, 1), Shdr, sh_type, SHT_PROGBITS);
	CHECK(inspect(write_file("nosym.so", m.b, m.len), list, sizeof list, &n, err) == 0);
	CHECK(n == 0 && !list[0]);

	/* damage, one thing at a time */
	make_so(&m, syms, 2);
	m.len = 100;
	img_fails(&m, "cut.so", "cut.so: truncated or corrupt ELF file (section headers past end of file)");
	make_so(&m, syms, 2);
	m.len -= 1;
	img_fails(&m, "cut1.so", "cut1.so: truncated or corrupt ELF file (section headers past end of file)");
	make_so(&m, syms, 2);
	SET(&m, 0, Ehdr, e_shentsize, 8);
	img_fails(&m, "ent.so", "ent.so: truncated or corrupt ELF file (bad section header size)");
	make_so(&m, syms, 2);
	SET(&m, 0, Ehdr, e_shnum, 60000);
	img_fails(&m, "num.so", "num.so: truncated or corrupt ELF file (section headers past end of file)");
	make_so(&m, syms, 2);
	SET(&m, 0, Ehdr, e_shoff, (uint64_t)-8);
	img_fails(&m, "off.so", "off.so: truncated or corrupt ELF file (section headers past end of file)");
	make_so(&m, syms, 2);
	SET(&m, sh(&m, 1), Shdr, sh_link, 3);
	img_fails(&m, "link.so", "link.so: truncated or corrupt ELF file (bad dynamic string table index)");
	make_so(&m, syms, 2);
	SET(&m, sh(&m, 1), Shdr, sh_link, 1);
	img_fails(&m, "link1.so", "link1.so: truncated or corrupt ELF file (bad dynamic string table)");
	make_so(&m, syms, 2);
	SET(&m, sh(&m, 1), Shdr, sh_entsize, 4);
	img_fails(&m, "sym.so", "sym.so: truncated or corrupt ELF file (bad symbol size)");
	make_so(&m, syms, 2);
	SET(&m, sh(&m, 1), Shdr, sh_offset, (uint64_t)-16);
	img_fails(&m, "symoff.so", "symoff.so: truncated or corrupt ELF file (dynamic symbol table past end of file)");
	make_so(&m, syms, 2);
	SET(&m, sh(&m, 2), Shdr, sh_size, 1u << 20);
	img_fails(&m, "strsz.so", "strsz.so: truncated or corrupt ELF file (dynamic string table past end of file)");
	make_so(&m, syms, 2);
	SET(&m, m.symoff + SIZEOF(&m, Sym), Sym, st_name, 5000);
	img_fails(&m, "name.so", "name.so: truncated or corrupt ELF file (symbol name out of range)");
	make_so(&m, syms, 2); /* cut .dynstr inside "other" */
	SET(&m, sh(&m, 2), Shdr, sh_size, 1 + strlen(syms[0].name) + 1 + 3);
	img_fails(&m, "unterm.so", "unterm.so: truncated or corrupt ELF file (unterminated symbol name)");

	/* extended section numbering: e_shnum 0, the count in section 0 */
	make_so(&m, syms, 3);
	SET(&m, 0, Ehdr, e_shnum, 0);
	SET(&m, sh(&m, 0), Shdr, sh_size, 3);
	CHECK(inspect(write_file("ext.so", m.b, m.len), list, sizeof list, &n, err) == 0);
	CHECK_STR(list, "alpha,beta");
}

/* Mutate copies of the image p (n bytes) at random and inspect each:
 * the parser must never crash, and must explain every failure. */
static void fuzz(const unsigned char *p, size_t n, int rounds, const char *name)
{
	unsigned char *q = malloc(n ? n : 1);
	unsigned long long seed = 0x9e3779b97f4a7c15ull;
	char err[PD_ERRLEN], list[4096];
	int i, k, nn, rc, bad = 0;
	size_t len;

	for (i = 0; i < rounds; i++) {
		memcpy(q, p, n);
		len = n;
		for (k = 0; k < 1 + i % 4 && n; k++) {
			/* anywhere, in the ELF header, or near the end (where
			 * the section headers of a linked file are) */
			size_t span = k % 3 == 1 && n > 64 ? 64 : k % 3 == 2 && n > 2048 ? 2048 : n;

			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			q[(k % 3 == 2 ? n - span : 0) + (size_t)(seed >> 33) % span] =
			    (unsigned char)(seed >> 20);
		}
		if (i % 7 == 0)
			len = (size_t)(seed >> 40) % (n + 1);
		rc = inspect(write_file(name, q, len), list, sizeof list, &nn, err);
		if (rc == -1 ? !err[0] || nn != 0 : rc != 0 || nn < 0)
			bad++;
	}
	CHECK(bad == 0);
	free(q);
}

/* Run a shell command quietly; returns its exit status. */
static int sh_run(const char *cmd)
{
	int rc = system(cmd);

	return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/* Compile src (in tmpdir) into out with extra flags; returns 0 on success. */
static int compile(const char *src, const char *text, const char *flags, const char *out)
{
	const char *srcdir = getenv("PD_SRCDIR");
	char cmd[1024];

	write_file(src, text, strlen(text));
	snprintf(cmd, sizeof cmd, "cc -std=c11 %s -I'%s/lib' -o '%s/%s' '%s/%s'", flags,
		 srcdir && *srcdir ? srcdir : ".", tmpdir, out, tmpdir, src);
	if (sh_run(cmd)) {
		fprintf(stderr, "jobfile_test: failed: %s\n", cmd);
		return -1;
	}
	return 0;
}

/* Kinds read from the descriptors of two.so (a map job and a fitness
 * function) and the choice among them by kind. */
static void test_kinds(const char *path)
{
	struct pd_buf names = PD_BUF_INIT, kinds = PD_BUF_INIT;
	const unsigned map = 1u << PD_KIND_MAP, fit = 1u << PD_KIND_FITNESS;
	char err[PD_ERRLEN], out[64];
	const char *p;
	int n, i;

	CHECK(pd_jobfile_inspect_kinds(path, &names, &kinds, &n, err) == 0);
	CHECK(n == 2 && kinds.len == 2);
	for (i = 0, p = names.data; i < n && kinds.len == 2; i++, p += strlen(p) + 1)
		CHECK(kinds.data[i] == (!strcmp(p, "sum") ? PD_KIND_FITNESS : PD_KIND_MAP));
	CHECK(pd_jobfile_pick(path, &names, &kinds, n, NULL, map, "map job", out, sizeof out, err) == 0);
	CHECK_STR(out, "square");
	CHECK(pd_jobfile_pick(path, &names, &kinds, n, NULL, fit, "fitness function", out, sizeof out, err) == 0);
	CHECK_STR(out, "sum");
	CHECK(pd_jobfile_pick(path, &names, &kinds, n, "sum", map, "map job", out, sizeof out, err) == -1);
	CHECK_STR(err, given("two.so: job 'sum' is a fitness function, not a map job"));
	CHECK(pd_jobfile_pick(path, &names, &kinds, n, NULL, 1u << PD_KIND_TASK, "task", out, sizeof out, err) == -1);
	CHECK_STR(err, given("two.so defines no task (its jobs are of other kinds; see playdoh(3))"));
	pd_buf_release(&names);
	pd_buf_release(&kinds);
}

/* Real jobs compiled with cc: one job, two, none, an object, a cut .so. */
static void test_compiled(void)
{
	static const char one[] = "#include \"playdoh.h\"\n"
				  "PD_MAP(square)\n{\n\treturn pd_put_double(out, pd_num(in, 0) * 2);\n}\n";
	static const char two[] = "#include \"playdoh.h\"\n"
				  "PD_MAP(square)\n{\n\treturn pd_put_double(out, pd_num(in, 0));\n}\n"
				  "PD_FITNESS(sum)\n{\n\treturn x[0] + dim;\n}\n";
	static const char none[] = "int helper(int x);\nint helper(int x) { return x + 1; }\n";
	struct pd_buf names = PD_BUF_INIT;
	char err[PD_ERRLEN], list[256], want[256], path[256], out[64];
	unsigned char *p;
	size_t len;
	int n;

	if (sh_run("cc --version >/dev/null 2>&1")) {
		printf("jobfile_test: cc not found; skipping the checks that compile jobs\n");
		return;
	}
	if (compile("square.c", one, "-shared -fPIC", "square.so") ||
	    compile("two.c", two, "-shared -fPIC", "two.so") ||
	    compile("none.c", none, "-shared -fPIC", "none.so") ||
	    compile("obj.c", one, "-c -fPIC", "square.o")) {
		CHECK(!"cc failed on a test job");
		return;
	}

	snprintf(path, sizeof path, "%s/square.so", tmpdir);
	CHECK(pd_jobfile_inspect(path, &names, &n, err) == 0);
	CHECK(n == 1);
	CHECK_STR(names.data, "square");
	CHECK(pd_jobfile_choose(path, &names, n, NULL, out, sizeof out, err) == 0);
	CHECK_STR(out, "square");
	CHECK(pd_jobfile_choose(path, &names, n, "square", out, sizeof out, err) == 0);
	CHECK(pd_jobfile_choose(path, &names, n, "cube", out, sizeof out, err) == -1);
	CHECK_STR(err, given("square.so has no job 'cube'; it has: square"));

	snprintf(path, sizeof path, "%s/two.so", tmpdir);
	CHECK(inspect(path, list, sizeof list, &n, err) == 0);
	CHECK(n == 2);
	CHECK(!strcmp(list, "square,sum") || !strcmp(list, "sum,square"));
	CHECK(pd_jobfile_inspect(path, &names, &n, err) == 0);
	CHECK(pd_jobfile_choose(path, &names, n, NULL, out, sizeof out, err) == -1);
	snprintf(list, sizeof list, "%s/two.so defines several jobs (square, sum); name one as %s/two.so:NAME", tmpdir,
		 tmpdir);
	snprintf(want, sizeof want, "%s/two.so defines several jobs (sum, square); name one as %s/two.so:NAME", tmpdir,
		 tmpdir);
	CHECK(!strcmp(err, list) || !strcmp(err, want));
	CHECK(pd_jobfile_choose(path, &names, n, "sum", out, sizeof out, err) == 0);
	CHECK_STR(out, "sum");
	test_kinds(path);

	snprintf(path, sizeof path, "%s/none.so", tmpdir);
	CHECK(pd_jobfile_inspect(path, &names, &n, err) == 0);
	CHECK(n == 0);
	CHECK(pd_jobfile_choose(path, &names, n, NULL, out, sizeof out, err) == -1);
	CHECK_STR(err, given("none.so defines no Playdoh job (no pd_desc_ symbol; see playdoh(3))"));

	snprintf(path, sizeof path, "%s/square.o", tmpdir);
	CHECK(inspect(path, list, sizeof list, &n, err) == -1);
	CHECK_STR(err, given("square.o: not a shared object (a relocatable object file); build it with cc -shared -fPIC"));

	/* the first 100 bytes of a real .so */
	snprintf(path, sizeof path, "%s/square.so", tmpdir);
	p = slurp(path, &len);
	CHECK(p != NULL && len > 100);
	if (p && len > 100) {
		CHECK(inspect(write_file("trunc.so", p, 100), list, sizeof list, &n, err) == -1);
		CHECK_STR(err, given("trunc.so: truncated or corrupt ELF file (section headers past end of file)"));
		fuzz(p, len, 300, "fuzz-real.so");
	}
	free(p);
	pd_buf_release(&names);
}

/* pd_jobfile_choose() on lists made by hand. */
static void test_choose(void)
{
	struct pd_buf names = PD_BUF_INIT;
	char err[PD_ERRLEN], out[8];
	int i;

	CHECK(pd_jobfile_choose("/a/b/job.so", &names, 0, NULL, out, sizeof out, err) == -1);
	CHECK_STR(err, "/a/b/job.so defines no Playdoh job (no pd_desc_ symbol; see playdoh(3))");
	CHECK(pd_jobfile_choose("job.so", &names, 0, "cube", out, sizeof out, err) == -1);
	CHECK_STR(err, "job.so has no job 'cube'; it defines none (no pd_desc_ symbol; see playdoh(3))");
	pd_buf_add(&names, "a\0bb\0", 5);
	CHECK(pd_jobfile_choose("d/job.so", &names, 2, NULL, out, sizeof out, err) == -1);
	CHECK_STR(err, "d/job.so defines several jobs (a, bb); name one as d/job.so:NAME");
	CHECK(pd_jobfile_choose("job.so", &names, 2, "c", out, sizeof out, err) == -1);
	CHECK_STR(err, "job.so has no job 'c'; it has: a, bb");
	CHECK(pd_jobfile_choose("job.so", &names, 2, "bb", out, sizeof out, err) == 0);
	CHECK_STR(out, "bb");
	CHECK(pd_jobfile_choose("job.so", &names, 2, "", out, sizeof out, err) == -1);
	CHECK(pd_jobfile_choose("job.so", &names, 1, "", out, sizeof out, err) == 0);
	CHECK_STR(out, "a");
	pd_buf_add(&names, "toolongname\0", 12);
	CHECK(pd_jobfile_choose("job.so", &names, 3, "toolongname", out, sizeof out, err) == -1);
	CHECK_STR(err, "job name 'toolongname' too long (at most 7 bytes)");
	/* long lists are cut */
	pd_buf_reset(&names);
	for (i = 0; i < 40; i++)
		pd_buf_addf(&names, "job_number_%02d%c", i, 0);
	CHECK(pd_jobfile_choose("job.so", &names, 40, NULL, out, sizeof out, err) == -1);
	CHECK(!strncmp(err, "job.so defines several jobs (job_number_00, job_number_01, ", 59));
	CHECK(strstr(err, ", ...); name one as job.so:NAME") != NULL);
	CHECK(strlen(err) < 200);
	CHECK(pd_jobfile_choose("job.so", &names, 40, "job_number_39", out, sizeof out, err) == -1);
	CHECK_STR(err, "job name 'job_number_39' too long (at most 7 bytes)");
	pd_buf_release(&names);
}

/* Learn this program's class, byte order and machine from its header. */
static int read_host(void)
{
	unsigned char h[EI_NIDENT + 4];
	int fd = open("/proc/self/exe", O_RDONLY);

	if (fd < 0 || read(fd, h, sizeof h) != (ssize_t)sizeof h) {
		perror("/proc/self/exe");
		return -1;
	}
	close(fd);
	host_cls = h[EI_CLASS];
	host_data = h[EI_DATA];
	host_machine = host_data == ELFDATA2MSB ? h[EI_NIDENT + 2] << 8 | h[EI_NIDENT + 3]
						: h[EI_NIDENT + 3] << 8 | h[EI_NIDENT + 2];
	return 0;
}

int main(void)
{
	const struct tsym syms[] = {{"pd_desc_one", 5, STB_GLOBAL}, {"pd_desc_two", 5, STB_GLOBAL}};
	const char *t = getenv("TMPDIR");
	char cmd[256];
	struct img m;

	if (read_host())
		return 1;
	snprintf(tmpdir, sizeof tmpdir, "%s/pd-jobfile-XXXXXX", t && *t && strlen(t) < 40 ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_headers();
	test_symbols();
	test_choose();
	make_so(&m, syms, 2);
	fuzz(m.b, m.len, 2000, "fuzz.so");
	test_compiled();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "jobfile_test: could not remove %s\n", tmpdir);
	return t_done("jobfile_test");
}
