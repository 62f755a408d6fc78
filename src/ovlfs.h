/* ovlfs.h: the inside of the FUSE overlay server (src/fuseovl.c starts it).
 *
 * A node is one FUSE inode. A directory holds an O_PATH fd for each layer
 * that makes up its merged view (`dirs`, upper first); a non-directory holds
 * no fd at all (fd limits stay far away) and is reached by name, through
 * the fd of its parent in the layer it lives in (`layer`, 0 = upper). The
 * names of nodes (`odent`, a small dcache) are kept in a hash table by
 * (parent, name); upper non-directories are also kept by (st_dev, st_ino),
 * so that the names of one hard-linked file share one FUSE inode. Every
 * lookup resolves the layers again and the caches are only trusted when
 * they agree. All namespace operations, lookups and copy-ups run under one
 * lock (`ovl.lock`), except the data copy of a large file opened for
 * writing, changed by setattr, given an xattr or renamed (`copying`); data
 * I/O on open files does not take it. Paths handed
 * to the *xattr calls are relative to the server's working directory,
 * /proc/self/fd, so nothing is resolved through the mount namespace the
 * sandbox builds. */
#ifndef SB_OVLFS_H
#define SB_OVLFS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "error.h"
#include "ovlmerge.h"

struct ovl_layer {
	int fd;          /* O_PATH of the layer's root; -1 for a missing upper */
	unsigned fsidx;  /* index of its file system among the layers' */
};

struct ostack {
	size_t layer;
	int fd;          /* O_PATH of this layer's directory */
};

struct odent;
struct ohandle;

struct onode {
	uint64_t nlookup;        /* the kernel's references */
	unsigned refs;           /* children's names and open handles */
	mode_t type;             /* S_IFMT bits */
	size_t layer;            /* where the visible object lives (0 = upper) */
	dev_t dev;               /* of the visible object */
	ino_t ino;
	uint64_t st_ino;         /* inode number shown, fixed at creation */
	unsigned long version;   /* directories: bumped by every change of names */
	struct ostack *dirs;     /* directories: the merged stack, top first */
	size_t ndirs;
	struct odent *aliases;   /* the names of this node */
	struct ohandle *handles; /* open files */
	struct onode *inext;     /* inode table chain */
	struct onode *lprev, *lnext; /* all nodes but the root */
	bool hashed;             /* in the inode table */
	bool copying;            /* its data is being copied up, unlocked */
};

struct odent {
	struct onode *parent;    /* holds a reference */
	struct onode *node;
	char *name;
	struct odent *hnext;     /* name table chain */
	struct odent *anext;     /* next name of `node` */
};

struct ohandle {
	int fd;
	bool upper;              /* fd is the upper object's */
	struct onode *node;
	struct ohandle *next;
};

/* Hash table chains. */
struct odent_chain {
	struct odent *head;
};
struct onode_chain {
	struct onode *head;
};

struct ovl {
	struct ovl_layer *layers; /* [0] upper, [1..] lowers top first */
	size_t nlayers;
	unsigned nfs;            /* distinct file systems among the layers */
	bool rdonly;
	bool writeback;          /* the kernel caches writes (FUSE_CAP_WRITEBACK_CACHE) */
	int workfd;              /* O_PATH of work/work; -1 when read-only */
	pthread_mutex_t lock;
	pthread_cond_t copied;   /* signalled when a node stops `copying` */
	struct onode *root;
	struct onode *nodes;     /* all nodes but the root */
	struct odent_chain *dtab; /* name table */
	size_t dcap, dcount;
	struct onode_chain *itab; /* inode table (upper non-directories) */
	size_t icap, icount;
	unsigned long tmpseq;    /* names of temporary files in work/ */
	double timeout;          /* entry and attribute timeout, seconds */
};

/* A resolved name: what a lookup of `name` in a directory finds. */
struct oprobe {
	enum ovl_kind kind;      /* OVL_ABSENT, OVL_DIR or OVL_OTHER */
	size_t top;              /* layer of the visible object */
	struct stat st;          /* its stat */
	size_t ndirs;            /* directories: the layers that merge */
	size_t dirs[];
};

/* ---- ovlnode.c: layers, nodes, names -------------------------------- */
struct ovl *ovl_new(const char *const *lowers, size_t nlowers, const char *upper,
		    const char *work, sb_error *err);
void ovl_free(struct ovl *o);
struct onode *ovl_node(struct ovl *o, fuse_ino_t ino);
fuse_ino_t ovl_ino(struct ovl *o, struct onode *n);
/* The fd of directory `dir` in `layer`, or -1. */
int ovl_dir_fd(const struct onode *dir, size_t layer);
/* Resolve `name` in `dir` over its stack; *out is malloc'd. -errno. */
int ovl_probe(struct ovl *o, const struct onode *dir, const char *name, struct oprobe **out);
/* Does a lower layer of `dir` show `name`? 1, 0 or -errno. */
int ovl_lower_has(struct ovl *o, const struct onode *dir, const char *name);
/* Look `name` up and take a kernel reference on the result (lock held). */
int ovl_do_lookup(struct ovl *o, struct onode *dir, const char *name,
		  struct fuse_entry_param *e);
void ovl_forget_node(struct ovl *o, struct onode *n, uint64_t count);
void ovl_node_unref(struct ovl *o, struct onode *n);
/* Where the visible object of `n` is: a directory fd and a name in it. */
int ovl_node_loc(struct ovl *o, const struct onode *n, int *dirfd, const char **name);
/* As ovl_node_loc, for the upper object (after ovl_copy_up). */
int ovl_node_upper_loc(struct ovl *o, const struct onode *n, int *dirfd, const char **name);
int ovl_node_stat(struct ovl *o, const struct onode *n, struct stat *st);
void ovl_fix_stat(struct ovl *o, const struct onode *n, struct stat *st);
/* Names: find, drop, move (drop whatever was at the target). */
struct odent *ovl_dent_find(struct ovl *o, const struct onode *parent, const char *name);
void ovl_dent_add(struct ovl *o, struct onode *parent, const char *name, struct onode *n);
void ovl_dent_drop(struct ovl *o, struct odent *d);
void ovl_dent_forget(struct ovl *o, const struct onode *parent, const char *name);
void ovl_dent_move(struct ovl *o, struct odent *d, struct onode *parent, const char *name);
/* The upper non-directory (dirfd, name) is about to lose a name: when it
 * is its last, its inode number may be reused by a new file, so the node
 * must leave the inode table. */
void ovl_unhash_dying(struct ovl *o, int dirfd, const char *name);
/* `n` now has an upper object at (pfd, name): switch it over. */
int ovl_node_set_upper(struct ovl *o, struct onode *n, int pfd, const char *name);

/* ---- ovlupper.c: copy-up, whiteouts, creation in the upper ----------- */
/* Give `n` (and its parents) an upper object; `nodata`: size 0. */
int ovl_copy_up(struct ovl *o, struct onode *n, bool nodata);
/* As ovl_copy_up with data, for a request that has looked at nothing but
 * `n` yet: the data of a large file is copied with the lock dropped (it
 * is held again on return). `n` may still be lower afterwards (someone
 * unlinked it meanwhile, or it was small): the caller's ovl_copy_up then
 * does the rest. */
int ovl_copy_up_early(struct ovl *o, struct onode *n);
/* A fresh temporary name for work/. */
void ovl_tmpname(struct ovl *o, char buf[static 32]);
/* Put a whiteout at (pfd, name), replacing a non-directory there. */
int ovl_make_whiteout(struct ovl *o, int pfd, const char *name);
/* Remove the whiteouts of an upper directory; -ENOTEMPTY if it holds more. */
int ovl_clear_whiteouts(int dirfd);
int ovl_set_opaque(int dirfd, const char *name);
/* Give the new object (dirfd, name), made for the directory pfd, the
 * caller's owner (the directory's group when it is set-group-id). */
int ovl_set_owner(int pfd, int dirfd, const char *name, const struct fuse_ctx *ctx, mode_t mode);
/* Stat (pfd, name) in the upper: OVL_ABSENT, OVL_WHITEOUT, OVL_DIR... */
int ovl_upper_kind(int pfd, const char *name, struct stat *st);

/* ---- ovldir.c: merged directory listings, entry walks ------------------ */
struct oentry {
	char *name;
	uint64_t ino;
	unsigned char type;      /* DT_* */
};
struct odir {
	struct oentry *ents;
	size_t n;
	unsigned long version;   /* of the directory when it was read */
};
int ovl_dir_read(struct ovl *o, const struct onode *dir, struct odir *out);
/* Call fn(dirfd, name) for every entry of the directory dirfd (O_PATH
 * will do) but "." and ".."; stops at the first negative return. */
int ovl_each_entry(int dirfd, int (*fn)(int, const char *));
void ovl_dir_free(struct odir *d);
/* 0 when the merged view of `dir` is empty, -ENOTEMPTY or -errno. */
int ovl_dir_empty(struct ovl *o, const struct onode *dir);

/* ---- ovlops_file.c: open files ---------------------------------------- */
/* Flags to open an underlying file with, for the flags of an open(2). */
int ovl_open_flags(const struct ovl *o, int flags);
/* A handle for fd (taken over) on `n`; lock held. */
struct ohandle *ovl_handle_new(struct ovl *o, struct onode *n, int fd);
/* Close and free a handle; lock held. */
void ovl_handle_free(struct ovl *o, struct ohandle *h);

/* ---- the operations (ovlops_ns.c, ovlops_file.c, ovlops_attr.c) ------ */
void ovlop_init(void *userdata, struct fuse_conn_info *conn);
void ovlop_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void ovlop_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void ovlop_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets);
void ovlop_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev);
void ovlop_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void ovlop_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name);
void ovlop_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname);
void ovlop_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void ovlop_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void ovlop_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		  const char *newname, unsigned int flags);
void ovlop_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		  struct fuse_file_info *fi);
void ovlop_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ovlop_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void ovlop_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *bufv, off_t off,
		     struct fuse_file_info *fi);
void ovlop_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ovlop_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void ovlop_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
		     struct fuse_file_info *fi);
void ovlop_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ovlop_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi);
void ovlop_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi);
void ovlop_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ovlop_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void ovlop_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ovlop_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		   struct fuse_file_info *fi);
void ovlop_readlink(fuse_req_t req, fuse_ino_t ino);
void ovlop_statfs(fuse_req_t req, fuse_ino_t ino);
void ovlop_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
		    size_t size, int flags);
void ovlop_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void ovlop_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void ovlop_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

#define OVL_LOCK(o) pthread_mutex_lock(&(o)->lock)
#define OVL_UNLOCK(o) pthread_mutex_unlock(&(o)->lock)

#endif
