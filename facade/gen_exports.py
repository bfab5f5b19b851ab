#!/usr/bin/env python3
"""Turns facade/cpnatfwt.sym into an ELF version script or a Windows .def."""
import sys

def main():
    kind, source, output = sys.argv[1:4]
    names = [line.strip() for line in open(source)
             if line.strip() and not line.lstrip().startswith('#')]
    with open(output, 'w') as out:
        if kind == 'map':
            out.write('CPNATFWT_1 {\n  global:\n')
            out.writelines(f'    {name};\n' for name in names)
            out.write('  local:\n    *;\n};\n')
        elif kind == 'def':
            out.write('LIBRARY cpnatfwt\nEXPORTS\n')
            out.writelines(f'  {name}\n' for name in names)
        else:
            sys.exit(f'unknown kind {kind}')

if __name__ == '__main__':
    main()
