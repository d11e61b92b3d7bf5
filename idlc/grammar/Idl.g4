// MIDL grammar for idlc. Syntax only: every check lives in semantic analysis
// (idlc/sema), never here. The input is already preprocessed (line markers
// removed by idlc/pre), so the grammar sees plain MIDL.
grammar Idl;
// The generated parser derives from idlc/parse/parser_base.h: rule entry and
// exit without dynamic_cast, and a stack budget.
options { superClass = IdlParserBase; }
@parser::header { #include "idlc/parse/parser_base.h" }

file : definition* EOF ;

definition
    : importDecl
    | importlibDecl
    | cppQuote
    | pragmaWarning
    | constDecl
    | namespaceDecl
    | ';'
    | attributes? attributedDef
    ;
// Factored so that prediction decides on the first token after the
// attributes instead of scanning long attribute lists per alternative.
attributedDef
    : interfaceDecl
    | dispinterfaceDecl
    | coclassDecl
    | libraryDecl
    | moduleDecl
    | typedefDecl
    | winrtDecl
    | declaration
    ;

importDecl    : IMPORT STRING (',' STRING)* ';' ;
importlibDecl : IMPORTLIB '(' STRING ')' ';' ;
cppQuote      : CPP_QUOTE '(' STRING+ ')' ';'? ;
pragmaWarning : PRAGMA_LINE ;

interfaceDecl
    : INTERFACE qualifiedName (':' qualifiedName)? '{' interfaceItem* '}' ';'?
    | INTERFACE qualifiedName ';'
    ;
interfaceItem
    : cppQuote
    | importDecl
    | pragmaWarning
    | constDecl
    | ';'
    | attributes? (typedefDecl | declaration)
    ;

dispinterfaceDecl
    : DISPINTERFACE ident '{' PROPERTIES ':' dispMember* METHODS ':' dispMember* '}' ';'?
    | DISPINTERFACE ident '{' INTERFACE ident ';' '}' ';'?
    | DISPINTERFACE ident ';'
    ;
dispMember : attributes? typeSpec declarator ';' | cppQuote ;

coclassDecl
    : COCLASS ident '{' coclassMember* '}' ';'?
    | COCLASS ident ';'
    ;
coclassMember : attributes? (INTERFACE | DISPINTERFACE) qualifiedName ';' ;

libraryDecl : LIBRARY ident '{' definition* '}' ';'? ;
// The opening of a top-level library, an entry rule of its own: the parser's
// fast path (idlc/parse/parser.cc) reads a library's definitions one at a
// time and frees each one's parse tree once it is in the AST, instead of
// holding the whole file's tree (mshtml.idl is one library of 900,000 tokens).
libraryHead : attributes? LIBRARY ident '{' ;
moduleDecl  : MODULE ident '{' interfaceItem* '}' ';'? ;

typedefDecl : TYPEDEF attributes? typeSpec declaratorList ';' ;
constDecl   : CONST typeSpec declarator '=' expr ';' ;
declaration : typeSpec declaratorList ';' ;
declaratorList : declarator (',' declarator)* ;

// WinRT mode: parsed loosely and ignored by the model.
namespaceDecl : NAMESPACE qualifiedName balanced ;
winrtDecl
    : (RUNTIMECLASS | APICONTRACT) qualifiedName (':' qualifiedName)? balanced ';'?
    | (RUNTIMECLASS | APICONTRACT) qualifiedName ';'
    | DELEGATE typeSpec declarator ';'
    | DECLARE balanced ';'?
    ;
balanced : '{' (balanced | ~('{' | '}'))* '}' ;

qualifiedName : ident ('.' ident)* ;

// ---- attributes -----------------------------------------------------------
attributes : ('[' attribute? (',' attribute?)* ']')+ ;
attribute  : attrName ('(' attrArg? (',' attrArg?)* ')')? ;
attrName   : ident | anyKeyword ;
attrArg
    : UUID
    | expr
    | typeSpec pointer*
    ;

// ---- types ----------------------------------------------------------------
typeSpec : qualifier* typeCore qualifier* ;
qualifier : CONST | VOLATILE | EXTERN | STATIC | callConv ;
callConv  : STDCALL ;
// struct/union/enum bodies and references share their first tokens; kept in
// one block so that only they need a prediction and the choice among the
// rest is LL(1).
typeCore
    : baseType
    | (tagDecl | tagRef)
    | INTERFACE qualifiedName
    | PIPE typeSpec
    | SAFEARRAY_OPEN typeSpec pointer* ')'
    | ident
    ;
baseType
    : (SIGNED | UNSIGNED)? baseWord+
    | SIGNED
    | UNSIGNED
    ;
baseWord
    : INT | LONG | SHORT | SMALL | HYPER | CHAR | INT8 | INT16 | INT32 | INT64 | INT3264
    | FLOAT | DOUBLE | VOID | BOOLEAN | BYTE | WCHAR_T | HANDLE_T | ERROR_STATUS_T
    ;

tagDecl
    : STRUCT ident? '{' field* '}'
    | UNION ident? '{' unionArm* '}'
    | UNION ident? SWITCH '(' typeSpec ident ')' ident? '{' unionArm* '}'
    | ENUM ident? '{' (enumerator (',' enumerator)* ','?)? '}'
    ;
tagRef : (STRUCT | UNION | ENUM) ident ;

field : attributes? typeSpec fieldDeclarator (',' fieldDeclarator)* ';' | cppQuote ;
fieldDeclarator : declarator (':' expr)? ;
unionArm
    : caseLabel+ (attributes? typeSpec declaratorList ';' | ';')
    | attributes? typeSpec declaratorList ';'
    | attributes? ';'
    | cppQuote
    ;
caseLabel : CASE expr (',' expr)* ':' | DEFAULT ':' ;
enumerator : attributes? ident ('=' expr)? ;

// C declarators: pointers, a name (optional for parameters), then array and
// function suffixes; parentheses for function pointers.
declarator : pointer* directDeclarator ;
pointer    : '*' qualifier* | callConv ;
directDeclarator : (ident | '(' callConv* declarator ')')? declSuffix* ;
declSuffix
    : '[' arrayBound? ']'
    | '(' paramList? ')'
    ;
arrayBound : '*' | expr ;
paramList : param (',' param)* (',' ELLIPSIS)? | ELLIPSIS ;
param     : attributes? typeSpec declarator ;

// ---- expressions ----------------------------------------------------------
// A flat chain of operands and binary operators; the AST builder applies C's
// precedence and associativity (idlc/parse/ast_builder.cc). The chain's loop
// is an LL(1) decision, so the parser predicts nothing inside it: a left-
// recursive rule would call the ATN simulator and allocate a rule context at
// every operator, and attribute arguments are full of expressions
// (mshtml.idl's 22,000 DISPIDs are 85% of its tokens). For the same reason
// operands are one rule, primaries inlined, and no operator is labelled (a
// label is a field in every context and a dynamic_cast in every match).
expr
    : unaryExpr (('*' | '/' | '%' | '+' | '-' | '<<' | '>>' | '<' | '>' | '<=' | '>='
                 | '==' | '!=' | '&' | '^' | '|' | '&&' | '||') unaryExpr)*
      ('?' expr ':' expr)?
    ;
// The alternatives start with distinct tokens, an LL(1) choice; only after
// '(' does the parser have to predict (a cast or a parenthesized operand).
// Alternatives sharing a first token would make ANTLR run its prediction at
// every operand.
unaryExpr
    : ('-' | '+' | '~' | '!' | '*' | '&') unaryExpr
    | SIZEOF '(' typeSpec pointer* ')'
    | (INTEGER | FLOATLIT | STRING | CHARLIT | TRUE_ | FALSE_ | NULL_ | ident)
      (('.' | '->') ident | '[' expr ']')*
    | '(' ( typeSpec pointer* ')' unaryExpr
          | expr ')' (('.' | '->') ident | '[' expr ']')*
          )
    ;

// Contextual words: keywords only where MIDL needs them, names elsewhere.
ident
    : IDENT | PROPERTIES | METHODS | NAMESPACE | RUNTIMECLASS | APICONTRACT
    | DELEGATE | DECLARE | PIPE | MODULE | LIBRARY | DISPINTERFACE | COCLASS
    | IMPORTLIB
    ;
anyKeyword
    : CONST | CASE | DEFAULT | SWITCH | INTERFACE | STRUCT | UNION | ENUM
    | baseWord | SIGNED | UNSIGNED | TYPEDEF | IMPORT | SIZEOF | VOLATILE
    ;

// ---- lexer ----------------------------------------------------------------
IMPORT : 'import' ;
IMPORTLIB : 'importlib' ;
CPP_QUOTE : 'cpp_quote' ;
INTERFACE : 'interface' ;
DISPINTERFACE : 'dispinterface' ;
COCLASS : 'coclass' ;
LIBRARY : 'library' ;
MODULE : 'module' ;
PROPERTIES : 'properties' ;
METHODS : 'methods' ;
TYPEDEF : 'typedef' ;
CONST : 'const' ;
VOLATILE : 'volatile' ;
EXTERN : 'extern' ;
STATIC : 'static' ;
SAFEARRAY_OPEN : 'SAFEARRAY' [ \t]* '(' ;
STRUCT : 'struct' ;
UNION : 'union' ;
ENUM : 'enum' ;
SWITCH : 'switch' ;
CASE : 'case' ;
DEFAULT : 'default' ;
SIZEOF : 'sizeof' ;
SIGNED : 'signed' ;
UNSIGNED : 'unsigned' ;
INT : 'int' ;
LONG : 'long' ;
SHORT : 'short' ;
SMALL : 'small' ;
HYPER : 'hyper' ;
CHAR : 'char' ;
INT8 : '__int8' ;
INT16 : '__int16' ;
INT32 : '__int32' ;
INT64 : '__int64' ;
INT3264 : '__int3264' ;
FLOAT : 'float' ;
DOUBLE : 'double' ;
VOID : 'void' ;
BOOLEAN : 'boolean' ;
BYTE : 'byte' ;
WCHAR_T : 'wchar_t' ;
HANDLE_T : 'handle_t' ;
ERROR_STATUS_T : 'error_status_t' ;
PIPE : 'pipe' ;
NAMESPACE : 'namespace' ;
RUNTIMECLASS : 'runtimeclass' ;
APICONTRACT : 'apicontract' ;
DELEGATE : 'delegate' ;
DECLARE : 'declare' ;
STDCALL : '__stdcall' | '_stdcall' | '__cdecl' | '_cdecl' | '__fastcall' | '_fastcall' | '__pascal' | '_pascal' | 'pascal' | 'WINAPI' | 'CALLBACK' | 'STDMETHODCALLTYPE' ;
TRUE_ : 'TRUE' | 'true' ;
FALSE_ : 'FALSE' | 'false' ;
NULL_ : 'NULL' ;
ELLIPSIS : '...' ;

UUID : HEX HEX HEX HEX HEX HEX HEX HEX '-' HEX HEX HEX HEX '-' HEX HEX HEX HEX '-'
       HEX HEX HEX HEX '-' HEX HEX HEX HEX HEX HEX HEX HEX HEX HEX HEX HEX ;
FLOATLIT : [0-9]+ '.' [0-9]* ([eE] [+-]? [0-9]+)? [fFlL]?
         | '.' [0-9]+ ([eE] [+-]? [0-9]+)? [fFlL]?
         | [0-9]+ [eE] [+-]? [0-9]+ [fFlL]? ;
INTEGER : ('0' [xX] HEX+ | [0-9]+) [uUlL]* ;
IDENT : [a-zA-Z_] [a-zA-Z_0-9]* ;
STRING : 'L'? '"' (~["\\\r\n] | '\\' .)* '"' ;
CHARLIT : 'L'? '\'' (~['\\\r\n] | '\\' .)* '\'' ;
PRAGMA_LINE : '#' ~[\r\n]* ;

WS : [ \t\r\n\f\u000B]+ -> skip ;
LINE_COMMENT : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
UNKNOWN_CHAR : . ;

fragment HEX : [0-9a-fA-F] ;
