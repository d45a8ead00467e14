/* dirs.h - private directories of plain files: removing one. */
#ifndef PD_DIRS_H
#define PD_DIRS_H

/* Remove the files directly in dir (not below), then dir itself; best
 * effort, for clean-up paths: what cannot be removed stays, unreported. */
void pd_dir_remove(const char *dir);

#endif
