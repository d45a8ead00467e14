/*
 * mpi_pingpong.c - MPI round trip of 8-byte messages, the reference for
 * pingpong.c in tests/bench/run.sh (not installed).
 *
 *	mpicc -O2 tests/bench/mpi_pingpong.c -o mpi_pingpong
 *	mpiexec -n 2 ./mpi_pingpong N WARMUP
 *
 * Rank 0 sends an 8-byte message (the round trip's number) with MPI_Send
 * and waits for the reply with MPI_Recv; rank 1 receives it and sends
 * back the number plus one.  Both check the numbers.  WARMUP round trips
 * are untimed, then N are timed one by one (MPI_Wtime).  Rank 0 prints
 * "rtt_us MEDIAN MEAN MIN MAX N" (microseconds), rank 1 "echoed COUNT" on
 * stderr.  Exit status 0 on success; a failed check aborts.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "benchtime.h"

int main(int argc, char **argv)
{
	long n = 0, warm = 0, i;
	int rank, size;
	uint64_t v;
	double *rtt = NULL, t0, sum = 0;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (argc != 3 || size != 2 || (n = atol(argv[1])) < 1 || (warm = atol(argv[2])) < 0) {
		if (rank == 0)
			fprintf(stderr, "usage: mpiexec -n 2 mpi_pingpong N WARMUP\n");
		MPI_Abort(MPI_COMM_WORLD, 2);
	}
	if (rank == 0 && !(rtt = malloc((size_t)n * sizeof *rtt)))
		MPI_Abort(MPI_COMM_WORLD, 1);
	for (i = 0; i < warm + n; i++) {
		if (rank == 0) {
			v = 2 * (uint64_t)i;
			t0 = MPI_Wtime();
			MPI_Send(&v, 8, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
			MPI_Recv(&v, 8, MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			if (i >= warm)
				rtt[i - warm] = MPI_Wtime() - t0;
			if (v != 2 * (uint64_t)i + 1) {
				fprintf(stderr, "mpi_pingpong: reply out of sequence\n");
				MPI_Abort(MPI_COMM_WORLD, 1);
			}
		} else {
			MPI_Recv(&v, 8, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			if (v != 2 * (uint64_t)i) {
				fprintf(stderr, "mpi_pingpong: message out of sequence\n");
				MPI_Abort(MPI_COMM_WORLD, 1);
			}
			v++;
			MPI_Send(&v, 8, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
		}
	}
	if (rank == 0) {
		for (i = 0; i < n; i++)
			sum += rtt[i];
		qsort(rtt, (size_t)n, sizeof *rtt, cmp_dbl);
		printf("rtt_us %.3f %.3f %.3f %.3f %ld\n",
		       (n % 2 ? rtt[n / 2] : (rtt[n / 2 - 1] + rtt[n / 2]) / 2) * 1e6,
		       sum / (double)n * 1e6, rtt[0] * 1e6, rtt[n - 1] * 1e6, n);
		fflush(stdout);
		free(rtt);
	} else
		fprintf(stderr, "echoed %ld\n", warm + n);
	MPI_Finalize();
	return 0;
}
