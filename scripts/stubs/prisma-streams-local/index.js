throw new Error('@prisma/streams-local is stubbed in this project: `prisma dev` is not supported here')
