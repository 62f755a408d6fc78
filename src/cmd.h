/* cmd.h: entry points of the subcommands; argv[0] is the subcommand name. */
#ifndef SB_CMD_H
#define SB_CMD_H

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_rmi(int argc, char **argv);
int cmd_rm(int argc, char **argv);

#endif
