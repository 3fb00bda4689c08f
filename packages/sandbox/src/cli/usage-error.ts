/** Bad usage of the CLI (unknown command or option, missing argument): exit 64 and a pointer to the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `--help` / `-h` among a command's options: print the usage on stdout and exit 0. */
export class HelpRequest extends Error {
  constructor() {
    super('help requested');
    this.name = 'HelpRequest';
  }
}
