/* jobfile.c - reading a job .so as an ELF file, without loading it.
 *
 * The file is untrusted: it is read with pread() into buffers, and every
 * offset and size taken from it is checked against the file size before
 * use.  Fields are decoded byte by byte in the file's byte order, so
 * ELF32 and ELF64 of either endianness are read on any host. */
#include "jobfile.h"

#include "err.h"
#include "playdoh.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef EM_RISCV
#define EM_RISCV 243
#endif
#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

#define SECTIONS_MAX 65536     /* more section headers than this: refused */
#define TABLE_MAX (64L << 20)  /* largest .dynsym or .dynstr read */
#define JOBS_MAX 4096	       /* most job names listed */
#define LIST_MAX 120	       /* longest list of names in a message */

/* An open ELF file being inspected. */
struct elf {
	int fd;
	uint64_t size;
	int is64, big;
	const char *name; /* basename, for messages */
	char *err;
	uint64_t shoff, shentsize, shnum; /* the section headers, once found */
	struct pd_buf *kinds;		  /* a kind byte per listed job, or NULL */
	struct pd_buf *flags;		  /* a flags byte per listed job, or NULL */
};

/* What an ELF file is built for. */
struct mach {
	int cls, data, machine;
};

/* The fields of a section header that matter here. */
struct sec {
	uint64_t type, addr, offset, size, link, entsize;
};

/* A field f of ELF struct T (Ehdr, Shdr, Sym) at p, in the file's class
 * and byte order. */
#define FLD(e, p, T, f)                                                        \
	((e)->is64 ? rd((e), (p) + offsetof(Elf64_##T, f),                     \
			sizeof(((Elf64_##T *)0)->f))                           \
		   : rd((e), (p) + offsetof(Elf32_##T, f),                     \
			sizeof(((Elf32_##T *)0)->f)))
#define SIZEOF(e, T) ((e)->is64 ? sizeof(Elf64_##T) : sizeof(Elf32_##T))

/* The n-byte unsigned integer at p in the file's byte order. */
static uint64_t rd(const struct elf *e, const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[e->big ? n - 1 - i : i] << (8 * i);
	return v;
}

/* Fill err with "NAME: truncated or corrupt ELF file (WHAT)"; returns -1. */
static int corrupt(const struct elf *e, const char *what)
{
	pd_err(e->err, "%s: truncated or corrupt ELF file (%s)", e->name, what);
	return -1;
}

/* Whether [off, off + len) lies within the file. */
static int in_file(const struct elf *e, uint64_t off, uint64_t len)
{
	return off <= e->size && len <= e->size - off;
}

/* Read exactly len bytes at off (already checked with in_file()). */
static int read_at(const struct elf *e, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = pread(e->fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			pd_err(e->err, "read %s: %s", e->name, strerror(errno));
			return -1;
		}
		if (r == 0)
			return corrupt(e, "file shrank while being read");
		done += (size_t)r;
	}
	return 0;
}

/* The ELF header of the program this code is linked into, as the loader
 * mapped it: GNU ld, gold and lld define the symbol (weak: NULL where a
 * linker does not). */
extern const unsigned char __ehdr_start[] __attribute__((weak, visibility("hidden")));

/* The machine the running program is built for: from its own ELF header
 * in memory (no /proc needed), else from /proc/self/exe's.  Returns -1
 * when neither works (the check is then skipped). */
static int host_mach(struct mach *m)
{
	const unsigned char *h = __ehdr_start;
	unsigned char buf[EI_NIDENT + 4];
	int fd, ok;

	if (!h) {
		if ((fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) < 0)
			return -1;
		ok = pread(fd, buf, sizeof buf, 0) == (ssize_t)sizeof buf;
		close(fd);
		if (!ok)
			return -1;
		h = buf;
	}
	if (memcmp(h, ELFMAG, SELFMAG))
		return -1;
	m->cls = h[EI_CLASS];
	m->data = h[EI_DATA];
	/* e_machine follows e_ident and the 2-byte e_type in both classes. */
	m->machine = m->data == ELFDATA2MSB ? h[EI_NIDENT + 2] << 8 | h[EI_NIDENT + 3]
					    : h[EI_NIDENT + 3] << 8 | h[EI_NIDENT + 2];
	return 0;
}

/* A name for what m is built for, as uname -m would say where known. */
static void mach_name(const struct mach *m, char *out, size_t sz)
{
	int le = m->data == ELFDATA2LSB, b64 = m->cls == ELFCLASS64;
	const char *s = NULL;

	switch (m->machine) {
	case EM_X86_64: s = "x86_64"; break;
	case EM_386: s = "i386"; break;
	case EM_AARCH64: s = le ? "aarch64" : "aarch64_be"; break;
	case EM_ARM: s = le ? "arm" : "armeb"; break;
	case EM_RISCV: s = b64 ? "riscv64" : "riscv32"; break;
	case EM_PPC64: s = le ? "ppc64le" : "ppc64"; break;
	case EM_PPC: s = "ppc"; break;
	case EM_S390: s = b64 ? "s390x" : "s390"; break;
	case EM_MIPS: s = b64 ? (le ? "mips64el" : "mips64") : (le ? "mipsel" : "mips"); break;
	case EM_LOONGARCH: s = "loongarch64"; break;
	case EM_SPARCV9: s = "sparc64"; break;
	}
	if (s)
		snprintf(out, sz, "%s", s);
	else
		snprintf(out, sz, "machine %d", m->machine);
}

/* Append " (64-bit, little-endian)" or the like to the name in out. */
static void add_abi(const struct mach *m, char *out, size_t sz)
{
	size_t len = strlen(out);

	snprintf(out + len, sz - len, " (%s, %s)", m->cls == ELFCLASS64 ? "64-bit" : "32-bit",
		 m->data == ELFDATA2MSB ? "big-endian" : "little-endian");
}

/* Refuse a file built for another machine than the running program. */
static int check_mach(const struct elf *e, const struct mach *f)
{
	struct mach h;
	char fn[64], hn[64];

	if (host_mach(&h))
		return 0;
	if (h.cls == f->cls && h.data == f->data && h.machine == f->machine)
		return 0;
	mach_name(f, fn, sizeof fn);
	mach_name(&h, hn, sizeof hn);
	if (!strcmp(fn, hn)) {
		add_abi(f, fn, sizeof fn);
		add_abi(&h, hn, sizeof hn);
	}
	pd_err(e->err, "%s: built for %s, this machine is %s", e->name, fn, hn);
	return -1;
}

/* Read section header i of the table at shoff (entries shentsize apart). */
static int read_sec(const struct elf *e, uint64_t shoff, uint64_t shentsize, uint64_t i,
		    struct sec *s)
{
	unsigned char h[sizeof(Elf64_Shdr)];

	if (read_at(e, shoff + i * shentsize, h, SIZEOF(e, Shdr)))
		return -1;
	s->type = FLD(e, h, Shdr, sh_type);
	s->addr = FLD(e, h, Shdr, sh_addr);
	s->offset = FLD(e, h, Shdr, sh_offset);
	s->size = FLD(e, h, Shdr, sh_size);
	s->link = FLD(e, h, Shdr, sh_link);
	s->entsize = FLD(e, h, Shdr, sh_entsize);
	return 0;
}

/* Read a whole section (of type other than SHT_NOBITS) into malloc'd memory. */
static unsigned char *read_sec_data(const struct elf *e, const struct sec *s, const char *what)
{
	char msg[80];
	unsigned char *p;

	if (s->type == SHT_NOBITS || !in_file(e, s->offset, s->size)) {
		snprintf(msg, sizeof msg, "%s past end of file", what);
		corrupt(e, msg);
		return NULL;
	}
	if (s->size > (uint64_t)TABLE_MAX) {
		snprintf(msg, sizeof msg, "%s too large", what);
		corrupt(e, msg);
		return NULL;
	}
	if (!(p = malloc(s->size ? (size_t)s->size : 1))) {
		pd_err(e->err, "%s: out of memory", e->name);
		return NULL;
	}
	if (read_at(e, s->offset, p, (size_t)s->size)) {
		free(p);
		return NULL;
	}
	return p;
}

/* Find the .dynsym section (sym->type 0 when there is none) and its
 * string table. */
static int find_dynsym(struct elf *e, const unsigned char *eh, struct sec *sym,
		       struct sec *str)
{
	uint64_t shoff = FLD(e, eh, Ehdr, e_shoff), shentsize = FLD(e, eh, Ehdr, e_shentsize);
	uint64_t shnum = FLD(e, eh, Ehdr, e_shnum), i;
	struct sec s;

	sym->type = 0;
	if (!shoff)
		return corrupt(e, "no section headers");
	if (shentsize < SIZEOF(e, Shdr))
		return corrupt(e, "bad section header size");
	if (!in_file(e, shoff, shentsize))
		return corrupt(e, "section headers past end of file");
	if (!shnum) { /* extended numbering: the count is in section 0 */
		if (read_sec(e, shoff, shentsize, 0, &s))
			return -1;
		shnum = s.size;
	}
	if (shnum > SECTIONS_MAX)
		return corrupt(e, "too many sections");
	if (shnum > e->size / shentsize || !in_file(e, shoff, shnum * shentsize))
		return corrupt(e, "section headers past end of file");
	e->shoff = shoff, e->shentsize = shentsize, e->shnum = shnum;
	for (i = 0; i < shnum; i++) {
		if (read_sec(e, shoff, shentsize, i, &s))
			return -1;
		if (s.type == SHT_DYNSYM)
			break;
	}
	if (i == shnum)
		return 0;
	*sym = s;
	if (!s.link || s.link >= shnum)
		return corrupt(e, "bad dynamic string table index");
	if (read_sec(e, shoff, shentsize, s.link, str))
		return -1;
	if (str->type != SHT_STRTAB)
		return corrupt(e, "bad dynamic string table");
	if (s.entsize < SIZEOF(e, Sym))
		return corrupt(e, "bad symbol size");
	return 0;
}

/* Whether name[0..len) can be a job name: [A-Za-z0-9_] and non-ASCII. */
static int job_name_ok(const char *name, size_t len)
{
	size_t i;

	if (len < 1 || len > PD_JOB_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c >= 0x80))
			return 0;
	}
	return 1;
}

/* Whether name[0..len) is already among the n names in b. */
static int listed(const struct pd_buf *b, int n, const char *name, size_t len)
{
	const char *p = b->data;
	size_t l;
	int i;

	for (i = 0; i < n; i++, p += l + 1) {
		l = strlen(p);
		if (l == len && !memcmp(p, name, len))
			return 1;
	}
	return 0;
}

/*
 * The kind (enum pd_kind) in the descriptor symbol sym points at, read
 * from the file: its section's bytes at the symbol's offset.  0 when it
 * cannot be told (no bytes in the file, no magic): the worker decides.
 */
static unsigned desc_kind(const struct elf *e, const unsigned char *sym, unsigned *flags)
{
	uint64_t shndx = FLD(e, sym, Sym, st_shndx), value = FLD(e, sym, Sym, st_value);
	unsigned char d[16];
	struct sec s;

	if (shndx >= e->shnum || shndx >= SHN_LORESERVE || read_sec(e, e->shoff, e->shentsize, shndx, &s))
		return 0;
	if (s.type == SHT_NOBITS || value < s.addr || value - s.addr > s.size || s.size - (value - s.addr) < sizeof d ||
	    !in_file(e, s.offset + (value - s.addr), sizeof d) || read_at(e, s.offset + (value - s.addr), d, sizeof d))
		return 0;
	if (rd(e, d, 4) != PD_DESC_MAGIC)
		return 0;
	*flags = (unsigned)rd(e, d + 12, 4) & 0xffu;
	return (unsigned)rd(e, d + 8, 4) <= 255 ? (unsigned)rd(e, d + 8, 4) : 0;
}

/* Add the job named by symbol sym (an entry of .dynsym) to names. */
static int add_sym(const struct elf *e, const unsigned char *sym, const unsigned char *str,
		   uint64_t strsize, struct pd_buf *names, int *n)
{
	const size_t plen = sizeof PD_DESC_PREFIX - 1;
	uint64_t off = FLD(e, sym, Sym, st_name);
	unsigned info = (unsigned)FLD(e, sym, Sym, st_info);
	const char *name, *end;
	unsigned kind, flags;
	size_t len;

	if (FLD(e, sym, Sym, st_shndx) == SHN_UNDEF || ELF64_ST_BIND(info) == STB_LOCAL)
		return 0;
	if (off >= strsize)
		return off ? corrupt(e, "symbol name out of range") : 0;
	name = (const char *)str + off;
	if (!(end = memchr(name, 0, (size_t)(strsize - off))))
		return corrupt(e, "unterminated symbol name");
	len = (size_t)(end - name);
	if (len <= plen || memcmp(name, PD_DESC_PREFIX, plen))
		return 0;
	name += plen;
	len -= plen;
	if (!job_name_ok(name, len) || listed(names, *n, name, len))
		return 0;
	if (*n >= JOBS_MAX)
		return corrupt(e, "too many pd_desc_ symbols");
	pd_buf_add(names, name, len);
	pd_buf_addc(names, 0);
	flags = 0;
	kind = desc_kind(e, sym, &flags);
	if (e->kinds)
		pd_buf_addc(e->kinds, (char)kind);
	if (e->flags)
		pd_buf_addc(e->flags, (char)flags);
	(*n)++;
	return 0;
}

/* List the jobs in .dynsym into names. */
static int list_jobs(struct elf *e, const unsigned char *eh, struct pd_buf *names, int *n)
{
	unsigned char *syms = NULL, *str = NULL;
	struct sec sym, strs;
	uint64_t i, nsyms;
	int rc = -1;

	if (find_dynsym(e, eh, &sym, &strs))
		return -1;
	if (sym.type != SHT_DYNSYM)
		return 0;
	if (!(syms = read_sec_data(e, &sym, "dynamic symbol table")) ||
	    !(str = read_sec_data(e, &strs, "dynamic string table")))
		goto out;
	nsyms = sym.size / sym.entsize;
	for (i = 1; i < nsyms; i++) /* entry 0 is the null symbol */
		if (add_sym(e, syms + i * sym.entsize, str, strs.size, names, n))
			goto out;
	rc = 0;
out:
	free(syms);
	free(str);
	return rc;
}

/* What an ELF file of type t is, for the "not a shared object" message. */
static const char *type_name(uint64_t t)
{
	switch (t) {
	case ET_REL: return "a relocatable object file";
	case ET_EXEC: return "an executable";
	case ET_CORE: return "a core dump";
	default: return "unknown ELF type";
	}
}

/* Check the header of the open file and list its jobs. */
static int inspect(struct elf *e, struct pd_buf *names, int *n)
{
	unsigned char eh[sizeof(Elf64_Ehdr)];
	struct mach m;
	struct stat st;
	uint64_t type;

	if (fstat(e->fd, &st)) {
		pd_err(e->err, "stat %s: %s", e->name, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		pd_err(e->err, "%s: not a regular file", e->name);
		return -1;
	}
	if (st.st_size > PD_JOBFILE_MAX) {
		pd_err(e->err, "%s: too large for a job file (over %ld MiB)", e->name,
		       PD_JOBFILE_MAX >> 20);
		return -1;
	}
	e->size = (uint64_t)st.st_size;
	memset(eh, 0, sizeof eh);
	if (read_at(e, 0, eh, e->size < sizeof eh ? (size_t)e->size : sizeof eh))
		return -1;
	if (e->size < SELFMAG || memcmp(eh, ELFMAG, SELFMAG)) {
		pd_err(e->err, "%s: not an ELF file", e->name);
		return -1;
	}
	if (eh[EI_CLASS] != ELFCLASS32 && eh[EI_CLASS] != ELFCLASS64)
		return corrupt(e, "bad EI_CLASS");
	if (eh[EI_DATA] != ELFDATA2LSB && eh[EI_DATA] != ELFDATA2MSB)
		return corrupt(e, "bad EI_DATA");
	e->is64 = eh[EI_CLASS] == ELFCLASS64;
	e->big = eh[EI_DATA] == ELFDATA2MSB;
	if (e->size < SIZEOF(e, Ehdr))
		return corrupt(e, "short ELF header");
	m.cls = eh[EI_CLASS];
	m.data = eh[EI_DATA];
	m.machine = (int)FLD(e, eh, Ehdr, e_machine);
	if (check_mach(e, &m))
		return -1;
	type = FLD(e, eh, Ehdr, e_type);
	if (type != ET_DYN) {
		pd_err(e->err, "%s: not a shared object (%s); build it with cc -shared -fPIC",
		       e->name, type_name(type));
		return -1;
	}
	return list_jobs(e, eh, names, n);
}

int pd_jobfile_inspect(const char *path, struct pd_buf *names, int *n, char *err)
{
	return pd_jobfile_inspect_kinds(path, names, NULL, n, err);
}

int pd_jobfile_inspect_kinds(const char *path, struct pd_buf *names, struct pd_buf *kinds, int *n,
			     char *err)
{
	struct elf e = {-1, 0, 0, 0, path, err, 0, 0, 0, kinds, NULL};
	int rc;

	if (kinds)
		pd_buf_reset(kinds);
	pd_buf_reset(names);
	*n = 0;
	/* O_NONBLOCK: opening a FIFO must not hang; no effect on regular files. */
	if ((e.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		pd_err(err, "open %s: %s", e.name, strerror(errno));
		return -1;
	}
	rc = inspect(&e, names, n);
	close(e.fd);
	if (rc) {
		if (kinds)
			pd_buf_reset(kinds);
		pd_buf_reset(names);
		*n = 0;
	}
	return rc;
}

int pd_jobfile_flags(const char *path, const char *sym, unsigned *flags, char *err)
{
	struct pd_buf names = PD_BUF_INIT, fl = PD_BUF_INIT;
	struct elf e = {-1, 0, 0, 0, path, err, 0, 0, 0, NULL, &fl};
	const char *p;
	int n = 0, i, rc = -1;

	*flags = 0;
	if ((e.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		pd_err(err, "open %s: %s", e.name, strerror(errno));
		return -1;
	}
	if (inspect(&e, &names, &n) == 0) {
		for (i = 0, p = names.data; i < n && strcmp(p, sym); i++)
			p += strlen(p) + 1;
		if (i < n && (size_t)i < fl.len) {
			*flags = (unsigned char)fl.data[i];
			rc = 0;
		} else
			pd_err(err, "%s has no job '%s'", e.name, sym);
	}
	close(e.fd);
	pd_buf_release(&names);
	pd_buf_release(&fl);
	return rc;
}

/* "a, b, c" from the n names in b, cut with ", ..." past LIST_MAX bytes. */
static void join_names(const struct pd_buf *b, int n, char *out, size_t sz)
{
	const char *p = b->data;
	size_t len = 0, l;
	int i;

	out[0] = 0;
	for (i = 0; i < n; i++, p += l + 1) {
		l = strlen(p);
		if (len + l + 2 + 5 >= sz) {
			snprintf(out + len, sz - len, "%s...", i ? ", " : "");
			return;
		}
		len += (size_t)snprintf(out + len, sz - len, "%s%s", i ? ", " : "", p);
	}
}

/* Copy name into out (outsz bytes); -1 with err when it does not fit. */
static int copy_name(const char *name, char *out, size_t outsz, char *err)
{
	size_t len = strlen(name);

	if (len >= outsz) {
		pd_err(err, "job name '%.64s' too long (at most %zu bytes)", name,
		       outsz ? outsz - 1 : 0);
		return -1;
	}
	memcpy(out, name, len + 1);
	return 0;
}

int pd_jobfile_choose(const char *path, const struct pd_buf *names, int n, const char *want,
		      char *out, size_t outsz, char *err)
{
	const char *b = path, *p = names->data;
	char list[LIST_MAX + 8];
	int i;

	if (want && *want) {
		for (i = 0; i < n; i++, p += strlen(p) + 1)
			if (!strcmp(p, want))
				return copy_name(p, out, outsz, err);
		if (!n) {
			pd_err(err, "%s has no job '%.64s'; it defines none (no pd_desc_ symbol; see playdoh(3))",
			       b, want);
			return -1;
		}
		join_names(names, n, list, sizeof list);
		pd_err(err, "%s has no job '%.64s'; it has: %s", b, want, list);
		return -1;
	}
	if (!n) {
		pd_err(err, "%s defines no Playdoh job (no pd_desc_ symbol; see playdoh(3))", b);
		return -1;
	}
	if (n > 1) {
		join_names(names, n, list, sizeof list);
		pd_err(err, "%s defines several jobs (%s); name one as %s:NAME", b, list, b);
		return -1;
	}
	return copy_name(p, out, outsz, err);
}

/* What a job of kind k is, for messages. */
static const char *kind_text(unsigned k)
{
	switch (k) {
	case PD_KIND_MAP: return "a map job";
	case PD_KIND_FITNESS: return "a fitness function";
	case PD_KIND_FITNESS_BATCH: return "a batch fitness function";
	case PD_KIND_TASK: return "a task";
	default: return "an unknown kind of job";
	}
}

int pd_jobfile_pick(const char *path, const struct pd_buf *names, const struct pd_buf *kinds, int n,
		    const char *want, unsigned mask, const char *what, char *out, size_t outsz, char *err)
{
	struct pd_buf kept = PD_BUF_INIT;
	const char *p = names->data;
	unsigned k;
	int i, nk = 0, rc;

	for (i = 0; i < n; i++, p += strlen(p) + 1) {
		k = (unsigned char)kinds->data[i];
		if (want && *want && !strcmp(p, want) && k && !(mask & (1u << k))) {
			pd_err(err, "%s: job '%s' is %s, not a %s", path, p, kind_text(k), what);
			pd_buf_release(&kept);
			return -1;
		}
		if (!k || (mask & (1u << k))) {
			pd_buf_add(&kept, p, strlen(p) + 1);
			nk++;
		}
	}
	if (n && !nk && !(want && *want)) {
		pd_err(err, "%s defines no %s (its jobs are of other kinds; see playdoh(3))", path, what);
		pd_buf_release(&kept);
		return -1;
	}
	rc = pd_jobfile_choose(path, want && *want ? names : &kept, want && *want ? n : nk, want, out, outsz, err);
	pd_buf_release(&kept);
	return rc;
}

char *pd_jobfile_split(char *arg)
{
	char *colon = strrchr(arg, ':');
	struct stat st;

	if (stat(arg, &st) == 0 || !colon || colon == arg)
		return NULL;
	*colon = 0;
	return colon + 1;
}
