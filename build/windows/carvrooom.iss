; Inno Setup script: wraps the PyInstaller one-folder build (build\dist\carvrooom) into an installer.
; Build on Windows: py -m PyInstaller build\carvrooom.spec --distpath build\dist --workpath build\work && iscc build\windows\carvrooom.iss
; carvrooom.exe is the windowed app; carvrooom-cli.exe (same folder) runs the command line in a console.
[Setup]
AppName=CarVrooom Desktop
AppVersion=0.1.0
AppPublisher=CarVrooom
DefaultDirName={autopf}\CarVrooom Desktop
DefaultGroupName=CarVrooom Desktop
OutputBaseFilename=carvrooom-desktop-setup
LicenseFile=..\..\LICENSE
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible

[Files]
Source: "..\dist\carvrooom\*"; DestDir: "{app}"; Flags: recursesubdirs

[Icons]
Name: "{group}\CarVrooom Desktop"; Filename: "{app}\carvrooom.exe"
