/*
 * mpi_throughput.c - MPI throughput of large messages, the reference for
 * throughput.c in tests/bench/run.sh (not installed).
 *
 *	mpicc -O2 tests/bench/mpi_throughput.c -o mpi_throughput
 *	mpiexec -n 2 ./mpi_throughput SIZE K WARMUP
 *
 * The same exchange as throughput.c: rank 0 sends WARMUP messages of SIZE
 * bytes (MPI_Send, MPI_BYTE), waits for rank 1's 8-byte acknowledgement,
 * takes the time (MPI_Wtime), sends K messages and waits for the
 * acknowledgement rank 1 sends after receiving (MPI_Recv into one
 * SIZE-byte buffer) and checking the last one (its length, its number in
 * its first and last 8 bytes, 64 pattern bytes).  Rank 0 prints
 * "gbps GB_PER_S BYTES SECONDS K" (GB = 10^9 bytes), rank 1
 * "received COUNT SIZE ok" on stderr.  A failed check aborts.
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLES 64

static unsigned char pattern(size_t j) { return (unsigned char)(j * 131 + 7); }

static void fail(const char *why)
{
	fprintf(stderr, "mpi_throughput: %s\n", why);
	MPI_Abort(MPI_COMM_WORLD, 1);
}

int main(int argc, char **argv)
{
	unsigned long long size = 0;
	long k = 0, warm = 0;
	int rank, nranks, got;
	uint64_t i, v, total;
	unsigned char *b;
	double t0 = 0, dt;
	size_t j, s;
	MPI_Status st;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &nranks);
	if (argc != 4 || nranks != 2 || (size = strtoull(argv[1], NULL, 10)) < 16 || size > 2147483647ULL ||
	    (k = atol(argv[2])) < 1 || (warm = atol(argv[3])) < 0) {
		if (rank == 0)
			fprintf(stderr, "usage: mpiexec -n 2 mpi_throughput SIZE K WARMUP (16 <= SIZE < 2 GiB)\n");
		MPI_Abort(MPI_COMM_WORLD, 2);
	}
	total = (uint64_t)(k + warm);
	if (!(b = malloc((size_t)size)))
		fail("out of memory");
	if (rank == 0) {
		for (j = 0; j < size; j++)
			b[j] = pattern(j);
		for (i = 0; i < total; i++) {
			if (i == (uint64_t)warm) {
				if (warm) {
					MPI_Recv(&v, 8, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
					if (v != i)
						fail("wrong acknowledgement");
				}
				t0 = MPI_Wtime();
			}
			memcpy(b, &i, sizeof i);
			memcpy(b + size - sizeof i, &i, sizeof i);
			MPI_Send(b, (int)size, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
		}
		MPI_Recv(&v, 8, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (v != total)
			fail("wrong acknowledgement");
		dt = MPI_Wtime() - t0;
		printf("gbps %.3f %.0f %.6f %ld\n", (double)size * (double)k / dt / 1e9,
		       (double)size * (double)k, dt, k);
		fflush(stdout);
	} else {
		for (i = 0; i < total; i++) {
			MPI_Recv(b, (int)size, MPI_BYTE, 0, 0, MPI_COMM_WORLD, &st);
			MPI_Get_count(&st, MPI_BYTE, &got);
			if ((unsigned long long)got != size)
				fail("message of the wrong size");
			memcpy(&v, b, sizeof v);
			if (v != i)
				fail("message out of sequence (start)");
			memcpy(&v, b + size - sizeof v, sizeof v);
			if (v != i)
				fail("message out of sequence (end)");
			for (s = 0; s < SAMPLES; s++) {
				j = 8 + (size - 16) / SAMPLES * s + s % 7;
				if (j < size - 8 && b[j] != pattern(j))
					fail("message altered");
			}
			if (i + 1 == (uint64_t)warm || i + 1 == total) {
				v = i + 1;
				MPI_Send(&v, 8, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
			}
		}
		fprintf(stderr, "received %llu %llu ok\n", (unsigned long long)total, size);
	}
	free(b);
	MPI_Finalize();
	return 0;
}
